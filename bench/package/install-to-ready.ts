/**
 * A new user's first minute (issue 11): `npm i` of the packed tarball into an empty project -> `npx micro-dev
 * init` -> `npx micro-dev up` ready, in seconds, and the size of the install. Baseline, in the same run and
 * alternating rounds: the same empty project installing only our runtime `dependencies` (no code of ours),
 * so `install.oursOverBaseline` is what the package itself costs on top of what it needs.
 *
 *   node bench/package/install-to-ready.ts [rounds=3]     -> bench/results/package-install.json
 *
 * The tarball is packed once (the prepack tsc build is reported apart: a user downloads a packed package).
 * Installs prefer the local npm cache (a warm cache: what a second project on the same machine sees).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../../runner/net/find-free-port.ts';
import { repoRoot } from '../../test/support/cli-process.ts';
import { installProject, packRepository, PACKAGE_NAME, userEnv, withPorts } from '../../test/support/packed-project.ts';

const run = promisify(execFile);
const rounds = Number(process.argv[2] ?? 3);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** Bytes on disk under dir (files' sizes, symlinks not followed) and how many packages it holds. */
async function footprint(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
    files++;
  }
  return { bytes, files };
}

function packageCount(project: string): number {
  const lock = JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/')).length;
}

/** Starts `up` in project (ports moved to free ones), resolves with ms from spawn to "micro-dev ready", stops it. */
async function upToReady(project: string): Promise<number> {
  const file = join(project, 'micro.dev.yaml');
  const ports = await Promise.all(Array.from({ length: 5 }, () => findFreePort()));
  if (new Set(ports).size < 5) throw new Error('free ports collided; run again');
  const [registry, gateway, proxy, web, faults] = ports as [number, number, number, number, number];
  await writeFile(file, withPorts(await readFile(file, 'utf8'), { registry, gateway, proxy, web, faults }));
  const t0 = performance.now();
  const up = spawn('npx', ['micro-dev', 'up', '--no-tui'], { cwd: project, env: userEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => up.once('exit', () => resolve()));
  const ready = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 120 s:\n${output}`)), 120_000);
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes('micro-dev ready')) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    };
    up.stdout.on('data', onData);
    up.stderr.on('data', onData);
    up.once('exit', () => reject(new Error(`up exited before ready:\n${output}`)));
  });
  const answer = await fetch(`http://127.0.0.1:${gateway}/hello/say/hello?name=bench`);
  if (answer.status !== 200) throw new Error(`the sample did not answer: ${answer.status} ${await answer.text()}`);
  process.kill(-up.pid!, 'SIGINT');
  await exited;
  return ready;
}

const loadBefore = loadavg();
const tmp = await mkdtemp(join(tmpdir(), 'micro-dev-bench-package-'));
try {
  const p0 = performance.now();
  const tarball = await packRepository(tmp);
  const packMs = performance.now() - p0;
  const deps = Object.entries(
    (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
  ).map(([name, range]) => `${name}@${range}`);

  const ours = { installMs: [] as number[], initMs: [] as number[], upMs: [] as number[], totalMs: [] as number[] };
  const baseline = { installMs: [] as number[] };
  let size = { bytes: 0, files: 0, packages: 0, baselineBytes: 0, baselinePackages: 0, ourPackageBytes: 0 };
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always meets the warmer cache and page cache.
    const order = i % 2 === 0 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
    for (const which of order) {
      const project = join(tmp, `${which}-${i}`);
      await mkdir(project);
      if (which === 'baseline') {
        const t0 = performance.now();
        await installProject(project, deps);
        baseline.installMs.push(performance.now() - t0);
        const f = await footprint(join(project, 'node_modules'));
        size = { ...size, baselineBytes: f.bytes, baselinePackages: packageCount(project) };
      } else {
        const t0 = performance.now();
        await installProject(project, [tarball]);
        const t1 = performance.now();
        await run('npx', ['micro-dev', 'init'], { cwd: project, env: userEnv });
        const t2 = performance.now();
        const upMs = await upToReady(project);
        ours.installMs.push(t1 - t0);
        ours.initMs.push(t2 - t1);
        ours.upMs.push(upMs);
        ours.totalMs.push(t2 - t0 + upMs);
        const f = await footprint(join(project, 'node_modules'));
        const pkg = await footprint(join(project, 'node_modules', PACKAGE_NAME));
        size = { ...size, bytes: f.bytes, files: f.files, packages: packageCount(project), ourPackageBytes: pkg.bytes };
      }
      await rm(project, { recursive: true, force: true });
    }
    process.stdout.write(
      `round ${i + 1}/${rounds}: install ${seconds(ours.installMs.at(-1)!)} s (deps only ${seconds(baseline.installMs.at(-1)!)} s), ` +
        `init ${seconds(ours.initMs.at(-1)!)} s, up ready ${seconds(ours.upMs.at(-1)!)} s\n`,
    );
  }

  const result = {
    bench: 'package-install',
    at: new Date().toISOString(),
    node: process.version,
    loadAverage: { before: loadBefore.map((l) => Math.round(l * 10) / 10), after: loadavg().map((l) => Math.round(l * 10) / 10) },
    rounds,
    npmCache: 'warm (--prefer-offline)',
    packSeconds: seconds(packMs),
    tarballBytes: statSync(tarball).size,
    seconds: {
      install: { median: seconds(median(ours.installMs)), all: ours.installMs.map(seconds) },
      init: { median: seconds(median(ours.initMs)), all: ours.initMs.map(seconds) },
      upToReady: { median: seconds(median(ours.upMs)), all: ours.upMs.map(seconds) },
      total: { median: seconds(median(ours.totalMs)), all: ours.totalMs.map(seconds) },
      baselineInstallDepsOnly: { median: seconds(median(baseline.installMs)), all: baseline.installMs.map(seconds) },
    },
    install: {
      nodeModulesMB: Math.round(size.bytes / 1e5) / 10,
      files: size.files,
      packages: size.packages,
      ourPackageMB: Math.round(size.ourPackageBytes / 1e5) / 10,
      baselineNodeModulesMB: Math.round(size.baselineBytes / 1e5) / 10,
      baselinePackages: size.baselinePackages,
    },
    ratios: {
      installTimeOursOverBaseline: Math.round((median(ours.installMs) / median(baseline.installMs)) * 100) / 100,
      installSizeOursOverBaseline: Math.round((size.bytes / size.baselineBytes) * 100) / 100,
    },
  };
  await mkdir(join(repoRoot, 'bench/results'), { recursive: true });
  await writeFile(join(repoRoot, 'bench/results/package-install.json'), JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
} finally {
  await rm(tmp, { recursive: true, force: true });
}
