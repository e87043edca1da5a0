/**
 * Young generation sizes under the launcher's flags (runner/runtimes/worker/young-generation.ts): micro-dev's
 * own thread runs with the shebang's --max-semi-space-size=16, and each instance thread gets its own limit
 * (8 MiB semi-spaces), not the process-wide flag. A probe instance allocates until V8 has grown its young
 * generation as far as it will, and reports the new space's size (two semi-spaces).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliProcess, launcherNodeFlags, writeTopology } from '../support/cli-process.ts';

const dirs: string[] = [];
const clis: CliProcess[] = [];
afterEach(async () => {
  for (const cli of clis.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

// Objects that live through a few scavenges (up to 200,000 at a time) make V8 grow the young generation to
// its limit; then one line with the new space's size in MiB.
const PROBE = `import v8 from 'node:v8';
let keep: object[] = [];
for (let i = 0; i < 3_000_000; i++) {
  keep.push({ i, s: 'x' + i });
  if (keep.length > 200_000) keep = [];
}
const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!;
console.log('probe new_space_mb=' + Math.round(newSpace.space_size / 1024 / 1024));
setInterval(() => undefined, 60_000);
`;

describe('young generation of instance threads', () => {
  it('an instance thread gets 8 MiB semi-spaces, not the launcher flag of micro-dev own thread', async () => {
    expect(launcherNodeFlags).toContain('--max-semi-space-size=16');
    const topo = await writeTopology(`  probe:
    module: PROBE_FILE
    readiness: { log: { pattern: 'probe new_space_mb=' } }
`);
    dirs.push(topo.dir);
    const module = join(topo.dir, 'probe.ts');
    await writeFile(module, PROBE);
    await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace('PROBE_FILE', module));
    const cli = new CliProcess(['up', '-c', topo.file, '--no-tui', '--no-watch'], { nodeFlags: launcherNodeFlags });
    clis.push(cli);
    await cli.waitFor(/micro-dev ready/, 60_000);
    const mb = Number(/probe new_space_mb=(\d+)/.exec(cli.output)?.[1]);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    // two 8 MiB semi-spaces; with the launcher's flag in force the thread would reach two of 16 MiB
    expect(mb).toBe(16);
  }, 90_000);
});
