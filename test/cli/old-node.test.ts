/**
 * The launcher under a Node older than the package supports (engines: >= 22.18) says so in plain words and
 * exits 2, instead of failing on its first import. Needs such a Node on the machine: Debian's `node` (20 here
 * and on CI, beside the pinned node@24 that npm puts first on PATH); without one the test says it is skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath } from '../support/cli-process.ts';

/** The first `node` on PATH (or in /usr/bin) older than 22.18, if any. */
function oldNode(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'node');
    if (!existsSync(candidate)) continue;
    try {
      const [major, minor] = execFileSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim().split('.').map(Number);
      if (major! < 22 || (major === 22 && minor! < 18)) return candidate;
    } catch {
      // not runnable: try the next one
    }
  }
  return undefined;
}

const node = oldNode();

describe('the launcher on an old Node', () => {
  it.skipIf(node === undefined)(`says which Node it needs and exits 2 (${node ?? 'no Node < 22.18 on this machine'})`, () => {
    const run = spawnSync(node!, [binPath, '--version'], { encoding: 'utf8' });
    expect(run.stderr).toMatch(/^micro-dev needs Node >= 22\.18 \(this is v\d+\.\d+\.\d+\)\.\n/);
    expect(run.stderr).not.toContain('SyntaxError');
    expect(run.status).toBe(2);
  });
});
