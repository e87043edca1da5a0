/**
 * The scenario file the step-traces tests run (the CLI's report and the dashboard's scenario pane): 250 ms of
 * latency on one greeter-srv replica for 1.5 s under a light load, so the step has slow traces a toxic explains.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `slow-replica.yaml` (scenario name `slow-replica`, step `slow`) into `dir`; returns its path. */
export async function writeSlowReplicaScenario(dir: string): Promise<string> {
  const file = join(dir, 'slow-replica.yaml');
  await writeFile(
    file,
    [
      'description: 250 ms on one greeter-srv replica',
      'topology: {registry: {time_scale: 0.05}}',
      'load: {rate: 20}',
      'steps:',
      '  - {id: slow, at: 500ms, fault: latency, latency: 250ms, target: {service: greeter-srv, count: 1}, duration: 1500ms}',
    ].join('\n'),
  );
  return file;
}
