/**
 * Dependencies earn their place, and the installed package finds what it imports:
 *   - code that ships (runner/, services/, not tests) imports only Node built-ins and `dependencies`;
 *   - every `dependencies` entry is imported by code that ships.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWN_ROOT } from './own-path.ts';

interface PackageJson {
  dependencies: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(path.join(OWN_ROOT, 'package.json'), 'utf8')) as PackageJson;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(OWN_ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!['node_modules', 'dist', '.micro-dev', 'results'].includes(entry.name)) out.push(...sourceFiles(rel));
    } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

/** Package names a file imports (static, dynamic, re-exports, require), comments left out. */
function importedPackages(file: string): string[] {
  const code = readFileSync(path.join(OWN_ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  // `from 'x'` / `import 'x'` need the space a statement has; `import('x')` / `require('x')` the parenthesis.
  const specs = [...code.matchAll(/(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"\s]+)['"]/g)].map((m) => m[1]!);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

const shipped = [...sourceFiles('runner'), ...sourceFiles('services'), ...sourceFiles('bin')].filter(
  (f) => !/\.test\.ts$/.test(f) && !f.split(path.sep).includes('templates'),
);

describe('package.json dependencies', () => {
  const shippedImports = new Map(shipped.map((f) => [f, importedPackages(f)]));

  it('shipped code imports only Node built-ins and dependencies (what an install of the package has)', () => {
    expect(shipped.length).toBeGreaterThan(100);
    const missing = [...shippedImports].flatMap(([f, names]) => names.filter((n) => !(n in pkg.dependencies)).map((n) => `${f}: ${n}`));
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(pkg.dependencies))('dependency %s is imported by shipped code', (name) => {
    expect([...shippedImports.values()].some((names) => names.includes(name))).toBe(true);
  });
});
