/**
 * Dependencies earn their place, and the installed package finds what it imports:
 *   - code that ships (runner/, services/, not tests) imports only Node built-ins and `dependencies`;
 *   - every `dependencies` entry is imported by code that ships;
 *   - every `devDependencies` entry is imported somewhere (tests, bench, scripts, configs), or is the
 *     `@types` of something used, or provides a command that package.json's scripts run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWN_ROOT } from './own-path.ts';

interface PackageJson {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
  bin?: string | Record<string, string>;
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

/**
 * Package names a file imports (static, dynamic, re-exports, require), comments left out, and so are
 * `import type` / `export type` statements: the build erases them, an install does not need the package.
 */
function importedPackages(file: string): string[] {
  const code = readFileSync(path.join(OWN_ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/^\s*(?:import|export)\s+type\s[^;]*?\sfrom\s+['"][^'"]+['"];?/gm, '');
  // `from 'x'` / `import 'x'` need the space a statement has; `import('x')` / `require('x')` the parenthesis.
  const specs = [...code.matchAll(/(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"\s]+)['"]/g)].map((m) => m[1]!);
  return specs
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
}

const shipped = [...sourceFiles('runner'), ...sourceFiles('services'), ...sourceFiles('bin')].filter(
  (f) => !/\.test\.ts$/.test(f) && !f.split(path.sep).includes('templates'),
);
const everything = [
  ...shipped,
  ...['runner', 'services', 'test', 'bench', 'scripts', 'examples'].flatMap((d) => (existsSync(path.join(OWN_ROOT, d)) ? sourceFiles(d) : [])),
  ...readdirSync(OWN_ROOT).filter((f) => /\.(ts|js|mjs)$/.test(f)),
];

/** The commands a package installs in node_modules/.bin. */
function binsOf(name: string): string[] {
  const dep = JSON.parse(readFileSync(path.join(OWN_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as PackageJson;
  if (!dep.bin) return [];
  return typeof dep.bin === 'string' ? [name.split('/').pop()!] : Object.keys(dep.bin);
}

describe('package.json dependencies', () => {
  const shippedImports = new Map(shipped.map((f) => [f, importedPackages(f)]));
  const allImports = new Set(everything.flatMap(importedPackages));

  it('shipped code imports only Node built-ins and dependencies (what an install of the package has)', () => {
    expect(shipped.length).toBeGreaterThan(100);
    const missing = [...shippedImports].flatMap(([f, names]) => names.filter((n) => !(n in pkg.dependencies)).map((n) => `${f}: ${n}`));
    expect(missing).toEqual([]);
  });

  it.each(Object.keys(pkg.dependencies))('dependency %s is imported by shipped code', (name) => {
    expect([...shippedImports.values()].some((names) => names.includes(name))).toBe(true);
  });

  it.each(Object.keys(pkg.devDependencies))('devDependency %s is imported, typed for, or run by a script', (name) => {
    const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length) : undefined;
    const scripts = Object.values(pkg.scripts).join(' && ');
    const runByScript = binsOf(name).some((bin) => new RegExp(`(^|[\\s&|;(])${bin}\\s`).test(scripts));
    const typed = typesFor !== undefined && (typesFor === 'node' || allImports.has(typesFor));
    expect(allImports.has(name) || typed || runByScript, `${name}: nothing imports it and no script runs it`).toBe(true);
  });
});
