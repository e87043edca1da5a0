/**
 * Young generation sizes under the launcher's flags (runner/runtimes/worker/young-generation.ts): micro-dev's
 * own thread runs with the shebang's --max-semi-space-size=16, and each instance thread gets its own limit
 * (8 MiB semi-spaces), not the process-wide flag. A probe instance allocates until V8 has grown its young
 * generation as far as it will, and reports the new space's size (two semi-spaces).
 */
import { describe, expect, it } from 'vitest';
import { launcherNodeFlags } from '../support/cli-process.ts';
import { probeInstances } from '../support/probe-instance.ts';

const probes = probeInstances();

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
    const file = await probes.topology(PROBE, 'probe new_space_mb=');
    const cli = probes.up(file, {}, launcherNodeFlags);
    await cli.waitFor(/micro-dev ready/, 60_000);
    const mb = Number(/probe new_space_mb=(\d+)/.exec(cli.output)?.[1]);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    // two 8 MiB semi-spaces; with the launcher's flag in force the thread would reach two of 16 MiB
    expect(mb).toBe(16);
  }, 90_000);
});
