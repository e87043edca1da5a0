/**
 * Vitest's global setup: every test run's temporary folders inside one folder made for the run, removed when
 * the run ends. TMPDIR points at it, so what the tests make with mkdtemp(tmpdir()) (topologies, projects,
 * logs, etcd data) and what the processes they start make there (their environment is inherited) lands in it,
 * whatever a test forgets to remove: before, 2,067 `micro-dev-*` folders had piled up in /tmp over two days
 * of runs, a third of them `micro-dev-cli-errors-*` topologies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'micro-dev-tests-'));
  const previous = process.env['TMPDIR'];
  process.env['TMPDIR'] = root;
  return () => {
    if (previous === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
