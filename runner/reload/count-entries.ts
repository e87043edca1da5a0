/**
 * countEntries: walks the watch roots (skipping ignored paths) and stops as soon as the count passes `cap`,
 * so a watch path that accidentally covers a home folder fails fast instead of exhausting inotify.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Resolves with the number of files and folders under roots (roots included), at most cap + 1. */
export async function countEntries(roots: readonly string[], ignored: (p: string) => boolean, cap: number): Promise<number> {
  let count = 0;
  const stack: string[] = [];
  for (const root of roots) {
    const info = await stat(root).catch(() => undefined);
    if (!info || ignored(root)) continue;
    count++;
    if (info.isDirectory()) stack.push(root);
  }
  while (stack.length > 0 && count <= cap) {
    const dir = stack.pop()!;
    const children = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const child of children) {
      const full = path.join(dir, child.name);
      if (ignored(full)) continue;
      count++;
      if (count > cap) break;
      if (child.isDirectory()) stack.push(full);
    }
  }
  return count;
}
