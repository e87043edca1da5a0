/**
 * The folders of every package a package needs at runtime: its `dependencies` and installed
 * `optionalDependencies`, and theirs, resolved as Node resolves them (node_modules of the requiring
 * package's folder, then of each parent). devDependencies are left out. A missing required dependency is
 * an error naming it (run `npm install` first); a missing optional one is skipped.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MicroDevError } from '../errors/micro-dev-error.ts';

interface Manifest {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Package folders (absolute, without `root` itself), in discovery order. */
export async function dependencyClosure(root: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [path.resolve(root)];
  const found: string[] = [];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    const manifest = await readManifest(dir);
    if (!manifest) continue;
    const optional = new Set(Object.keys(manifest.optionalDependencies ?? {}));
    for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...optional])) {
      const at = resolvePackage(name, dir);
      if (!at) {
        if (optional.has(name)) continue;
        throw new MicroDevError('CONFIG_INVALID', `${manifest.name ?? dir} needs ${name}, which is not installed under ${dir} or a parent folder; run npm install first`);
      }
      if (seen.has(at)) continue;
      seen.add(at);
      found.push(at);
      queue.push(at);
    }
  }
  return found;
}

function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

async function readManifest(dir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}
