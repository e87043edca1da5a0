/**
 * A one-instance topology whose module is a probe written by the test (it prints what its thread saw),
 * and the `up`s and folders a test file made, cleaned up after each test.
 *
 *   const probes = probeInstances();            // in the test file: registers the afterEach cleanup
 *   const file = await probes.topology(SOURCE, 'probe x=');   // readiness: that line in its log
 *   const cli = probes.up(file, env, nodeFlags);
 */
import { afterEach } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliProcess, writeTopology } from './cli-process.ts';

export function probeInstances(): {
  dirs: string[];
  topology(source: string, readyPattern: string): Promise<string>;
  up(file: string, env?: Record<string, string>, nodeFlags?: string[]): CliProcess;
} {
  const dirs: string[] = [];
  const clis: CliProcess[] = [];
  afterEach(async () => {
    for (const cli of clis.splice(0)) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    }
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return {
    dirs,
    async topology(source, readyPattern) {
      const topo = await writeTopology(`  probe:\n    module: PROBE_FILE\n    readiness: { log: { pattern: '${readyPattern}' } }\n`);
      dirs.push(topo.dir);
      const module = join(topo.dir, 'probe.ts');
      await writeFile(module, source);
      await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace('PROBE_FILE', module));
      return topo.file;
    },
    up(file, env = {}, nodeFlags = []) {
      const cli = new CliProcess(['up', '-c', file, '--no-tui', '--no-watch'], { env, nodeFlags });
      clis.push(cli);
      return cli;
    },
  };
}
