/**
 * The package build, run by `npm pack` (prepack): Node will not strip types under node_modules, so the
 * installed package runs JavaScript compiled from the same sources, in the same layout under dist/.
 *
 *   runner/**, services/** (.ts, not tests, not templates/) ──tsc -p tsconfig.build.json──> dist/**.js
 *   services/kit (the `./kit` export) ──────────────────────────tsc -p tsconfig.kit-types.json──> its .d.ts
 *   every other file of runner/, services/, scenarios/, examples/ (data, templates/, Dockerfiles) ──copy──> dist/
 *   micro.dev.schema.json, micro.dev.yaml (its worker modules renamed .ts -> .js) ──────────────────────> dist/
 *
 * Code finds these files through runner/package/own-path.ts. `npm run build` runs this by hand; postpack
 * removes dist/ again so the checkout keeps running its sources.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
/** Folders whose non-compiled files ship. examples/ ships whole: users copy from it. */
const ASSET_ROOTS = ['runner', 'services', 'scenarios', 'examples'];
const SKIP_DIRS = new Set(['node_modules', '.micro-dev', 'dist']);

function isTest(file: string): boolean {
  return /\.test\.[cm]?[jt]s$/.test(file);
}

/** Files under `dir` (relative to ROOT) that the compiler does not emit but the package needs. */
function* assets(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(path.join(ROOT, dir), { withFileTypes: true });
  } catch {
    return; // an asset root that does not exist (yet) ships nothing
  }
  for (const entry of entries) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) yield* assets(rel);
      continue;
    }
    if (isTest(entry.name)) continue;
    const verbatim = rel.startsWith('examples') || rel.split(path.sep).includes('templates');
    if (entry.name.endsWith('.ts') && !verbatim) continue; // compiled
    if (entry.name.endsWith('.md') && !verbatim) continue; // area docs stay in the repository
    yield rel;
  }
}

function copy(rel: string): void {
  mkdirSync(path.dirname(path.join(DIST, rel)), { recursive: true });
  copyFileSync(path.join(ROOT, rel), path.join(DIST, rel));
}

/** The default topology with its worker modules pointing at the compiled .js. */
function writeDefaultTopology(): void {
  const text = readFileSync(path.join(ROOT, 'micro.dev.yaml'), 'utf8').replace(
    /^(\s*module:\s*)(\S+)\.ts(\s|$)/gm,
    '$1$2.js$3',
  );
  const services = (parse(text) as { services?: Record<string, { module?: string }> }).services ?? {};
  for (const [name, service] of Object.entries(services)) {
    if (service.module?.endsWith('.ts')) throw new Error(`micro.dev.yaml: services.${name}.module still names a .ts file`);
  }
  writeFileSync(path.join(DIST, 'micro.dev.yaml'), text);
}

rmSync(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.kit-types.json')], { stdio: 'inherit' });
let copied = 0;
for (const root of ASSET_ROOTS) {
  for (const rel of assets(root)) {
    copy(rel);
    copied++;
  }
}
copy('micro.dev.schema.json');
writeDefaultTopology();
console.log(`built dist/ (compiled runner/ and services/, ${copied + 2} other files)`);
