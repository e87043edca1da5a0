/**
 * The package as a user gets it, for test/package/packed-tarball.test.ts and bench/package: pack this
 * checkout, make an empty project, install the tarball there, move `init`'s default ports to free ones.
 * npm runs with Node 24 (node_modules/.bin) first on PATH and without npm's run-script variables of a
 * surrounding `npm test`, so it behaves as in a user's shell; installs prefer the local npm cache.
 */
import { execFile } from 'node:child_process';
import { readdir, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cli-process.ts';

const run = promisify(execFile);

export const PACKAGE_NAME = 'micro-dev-orchestrator';

/** A user's shell environment: Node 24 first on PATH, no npm_* variables, no colours. */
export const userEnv: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => !e[0].startsWith('npm_') && e[1] !== undefined),
  ),
  PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
  NO_COLOR: '1',
};

/** `npm pack` of the checkout into `dir` (prepack builds dist/, postpack removes it); the tarball's path. */
export async function packRepository(dir: string): Promise<string> {
  await run('npm', ['pack', '--pack-destination', dir], { cwd: repoRoot, env: userEnv, timeout: 300_000, maxBuffer: 16 << 20 });
  const tarball = (await readdir(dir)).find((f) => f.startsWith(PACKAGE_NAME) && f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no ${PACKAGE_NAME}-*.tgz in ${dir}`);
  return join(dir, tarball);
}

/**
 * An empty project at `dir` with `packages` installed by `npm install`. Its package.json is what `npm init -y`
 * writes (npm 11: `"type": "commonjs"`), so the sample services must not rely on the project being ESM.
 */
export async function installProject(dir: string, packages: string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', main: 'index.js', type: 'commonjs' }));
  await run('npm', ['install', ...packages, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    env: userEnv,
    timeout: 300_000,
    maxBuffer: 16 << 20,
  });
}

export interface Ports {
  registry: number;
  gateway: number;
  proxy: number;
  web: number;
  faults: number;
}

/** `init`'s micro.dev.yaml with its default ports (8500, 8080, 8081, 8082, 8474) replaced; throws if one is left. */
export function withPorts(yaml: string, ports: Ports): string {
  const moved = yaml
    .replace(/^( {2}port: )8500$/m, `$1${ports.registry}`)
    .replace(/^( {2}port: )8080$/m, `$1${ports.gateway}`)
    .replace(/^( {2}port: )8081$/m, `$1${ports.proxy}`)
    .replace(/^( {2}port: )8082$/m, `$1${ports.web}`)
    .replace(/^( {2}port: )8474$/m, `$1${ports.faults}`);
  if (/port: (8500|8080|8081|8082|8474)$/m.test(moved)) throw new Error('a default port is left in the topology');
  return moved;
}
