/**
 * startWatching's up-front checks on a real folder tree (no change is made, so the orchestrator is never
 * asked to reload and need not be started).
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../config/load-topology.ts';
import { Orchestrator } from '../engine/orchestrator.ts';
import { startWatching } from './service-watcher.ts';

async function project(files: number, ignoredFiles: number) {
  const dir = await mkdtemp(join(tmpdir(), 'micro-dev-watch-'));
  await mkdir(join(dir, 'svc', 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(dir, 'svc', 'main.ts'), 'export {};\n');
  for (let i = 0; i < files; i++) await writeFile(join(dir, 'svc', `f${i}.ts`), '');
  for (let i = 0; i < ignoredFiles; i++) await writeFile(join(dir, 'svc', 'node_modules', 'dep', `d${i}.js`), '');
  const file = join(dir, 'micro.dev.yaml');
  await writeFile(file, `services:\n  demo-srv:\n    module: svc/main.ts\n    watch: true\n`);
  const topology = await loadTopology(file);
  return { topology, orchestrator: new Orchestrator(topology) };
}

describe('startWatching', () => {
  it('refuses a watch that covers more entries than the cap, naming the service and the cap', async () => {
    const { topology, orchestrator } = await project(30, 0);
    await expect(startWatching(orchestrator, topology, { maxEntries: 20 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'services.demo-srv.watch covers more than 20 files and folders (svc)',
    });
  });

  it('does not count ignored folders (node_modules) toward the cap', async () => {
    const { topology, orchestrator } = await project(5, 40);
    const lines: string[] = [];
    const watching = await startWatching(orchestrator, topology, { maxEntries: 20, onLine: (l) => lines.push(l) });
    await watching.close();
    expect(lines).toEqual(['demo-srv watching svc (7 entries)']);
  });
});
