/**
 * readLogFiles: what `up` kept in `.micro-dev/logs` (engine/log-files.ts), every instance's current and
 * rotated files read back into lines, oldest first. A missing folder reads as nothing kept.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BufferedLine } from '../engine/log-buffer.ts';

const FILE = /^(.+)\.log(?:\.(\d+))?$/;
const LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (stdout|stderr) (.*)$/;

export async function readLogFiles(dir: string): Promise<{ instances: string[]; lines: BufferedLine[] }> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const files = entries
    .map((name) => ({ name, match: FILE.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    // Oldest first: the highest rotation number first, the current file last.
    .sort((a, b) => Number(b.match[2] ?? 0) - Number(a.match[2] ?? 0));
  const instances = [...new Set(files.map((f) => f.match[1]!))].sort();
  const lines: BufferedLine[] = [];
  for (const f of files) {
    const text = await readFile(join(dir, f.name), 'utf8').catch(() => '');
    for (const raw of text.split('\n')) {
      const m = LINE.exec(raw);
      if (m) lines.push({ instance: f.match[1]!, stream: m[2] as 'stdout' | 'stderr', line: m[3]!, at: Date.parse(m[1]!) });
    }
  }
  // Stable sort: one instance's lines with the same millisecond keep their order.
  return { instances, lines: lines.sort((a, b) => a.at - b.at) };
}
