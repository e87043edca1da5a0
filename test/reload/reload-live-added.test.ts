/**
 * A service a live edit of micro.dev.yaml adds is watched from then on (reload on save), even when nothing
 * was watched before; a service the edit removes is no longer watched.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, repoRoot, writeTopology, type TestTopology } from '../support/cli-process.ts';

let up: CliProcess | undefined;
let topo: TestTopology | undefined;
afterAll(async () => {
  up?.child.kill('SIGTERM');
  await up?.exited;
  if (topo) await rm(topo.dir, { recursive: true, force: true });
});

const sleeper = `  sleeper:
    runtime: process
    command: ["sh", "-c", "echo sleeper started; sleep 300"]
    readiness: { log: { pattern: "sleeper started", timeout: 10s } }
    watch: false
`;
const added = `  added-srv:
    module: services/added-srv/main.ts
`;

describe('live edits and hot reload', () => {
  it('watches a service added by an edit (none watched before), and stops watching it once removed', { timeout: 120_000 }, async () => {
    topo = await writeTopology(sleeper, 'live-watch');
    const source = (await readFile(join(repoRoot, 'services/greeter-srv/main.ts'), 'utf8')).replace(/'\.\.\/kit\/([\w-]+\.ts)'/g, (_, kit: string) => JSON.stringify(join(repoRoot, 'services/kit', kit)));
    expect(source).toContain(join(repoRoot, 'services/kit/service.ts'));
    expect(source).not.toContain("'../kit/");
    const file = join(topo.dir, 'services/added-srv/main.ts');
    await mkdir(join(topo.dir, 'services/added-srv'), { recursive: true });
    await writeFile(file, source);
    const original = await readFile(topo.file, 'utf8');

    up = new CliProcess(['up', '-c', topo.file, '--no-tui']);
    await up.waitFor('micro-dev ready', 60_000);
    expect(up.output).not.toMatch(/reload +\S+ watching/);

    await writeFile(topo.file, original + added);
    await up.waitFor(/config + {2}added-srv added/, 30_000);
    await up.waitFor(/reload +added-srv watching services\/added-srv/, 30_000);
    await up.waitFor(/added-srv-1 +ready/, 30_000);

    await writeFile(file, source.replace('Hello ', 'Howdy '));
    await up.waitFor(/reload +added-srv changed: services\/added-srv\/main\.ts/, 30_000);
    await up.waitFor(/reload +added-srv reloaded: 1 replica/, 60_000);

    await writeFile(topo.file, original);
    await up.waitFor(/config + {2}added-srv removed/, 30_000);
    await up.waitFor(/reload +added-srv no longer watched/, 30_000);
    const mark = up.output.length;
    await writeFile(file, source.replace('Hello ', 'Hi '));
    // A save after the removal is not a reload: give the watcher well over its debounce to (wrongly) react.
    await new Promise((r) => setTimeout(r, 1500));
    expect(up.output.slice(mark)).not.toMatch(/added-srv changed/);
  });
});
