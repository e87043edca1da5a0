/**
 * The package as a user gets it: `npm pack` of this checkout, `npm install <tarball>` into an empty project
 * (nothing else there: no node@24 pin, no TypeScript), then `npx micro-dev init`, the kit's types, `up` on free
 * ports, calls through the gateway and the proxy, Ctrl-C (SIGINT to the process group, as a terminal sends it):
 * exit 0 and nothing left running; then `new service` in each language from the shipped templates. Node 24 (node_modules/.bin) is first on PATH, as for a user with Node >= 22.18.
 * Slow (a tsc build and an npm install): about a minute.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '../../runner/net/find-free-port.ts';
import { descendants, repoRoot } from '../support/cli-process.ts';
import { installProject, packRepository, PACKAGE_NAME, userEnv, withPorts } from '../support/packed-project.ts';

const run = promisify(execFile);
const PKG = PACKAGE_NAME;
const GREETER = `node_modules/${PKG}/dist/services/greeter-srv/main.js`;
const env = userEnv;

let tmp = '';
let project = '';
let tarball = '';
let up: ChildProcess | undefined;

function inProject(command: string, args: string[], timeout = 120_000) {
  return run(command, args, { cwd: project, env, timeout, maxBuffer: 16 << 20 });
}

/** A command's exit code and output, failing or not. */
async function outcome(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await inProject(command, args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await findFreePort());
  return [...ports];
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Live processes whose command line mentions the project folder. */
async function processesInProject(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (cmdline.includes(project)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'micro-dev-packed-'));
  project = join(tmp, 'project');
  tarball = await packRepository(tmp);
  await installProject(project, [tarball]);
}, 480_000);

afterAll(async () => {
  if (up?.pid && up.exitCode === null && up.signalCode === null) process.kill(-up.pid, 'SIGKILL');
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('the packed package, installed into an empty project', () => {
  it('ships compiled JavaScript and no sources to strip; the user gets no Node pin', () => {
    const installed = join(project, 'node_modules', PKG);
    expect(existsSync(join(installed, 'dist/runner/cli/main.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist/services/kit/index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'runner'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/node'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=22.18.0');
    expect(existsSync(join(project, 'node_modules/testcontainers'))).toBe(false);
    expect(existsSync(join(project, 'node_modules/zx'))).toBe(false);
  });

  it('npx micro-dev init writes the topology and a sample service, says what next, and never overwrites', async () => {
    const first = await outcome('npx', ['micro-dev', 'init']);
    expect(first.code).toBe(0);
    expect(first.output).toMatch(/^micro-dev init wrote:\n {2}micro\.dev\.yaml {2,}the topology/);
    expect(first.output).toMatch(/\n {2}services\/hello\/main\.ts +a sample service/);
    expect(first.output).toMatch(/\n {2}services\/hello\/package\.json +marks the sample as an ES module/);
    expect(first.output).toContain('\nNext:\n  npx micro-dev up ');
    expect(first.output).not.toContain('npm i -D'); // the package is installed here
    const yaml = readFileSync(join(project, 'micro.dev.yaml'), 'utf8');
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=node_modules\/micro-dev-orchestrator\/dist\/micro\.dev\.schema\.json$/m);
    expect(existsSync(join(project, 'node_modules/micro-dev-orchestrator/dist/micro.dev.schema.json'))).toBe(true);

    const again = await outcome('npx', ['micro-dev', 'init']);
    expect(again.code).toBe(2);
    expect(again.output).toBe(
      'micro-dev: init: micro.dev.yaml, services/hello/main.ts and services/hello/package.json already exist; nothing was written\n' +
        '  hint: init writes only new files: run it in a folder without them, or move them away first\n',
    );
    expect(readFileSync(join(project, 'micro.dev.yaml'), 'utf8')).toBe(yaml);
  });

  it('the kit export has types: the sample service type-checks, a wrong option does not', async () => {
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
          skipLibCheck: true, types: ['node'], typeRoots: [join(repoRoot, 'node_modules/@types')],
        },
        include: ['services', 'wrong.ts'],
      }),
    );
    await writeFile(join(project, 'wrong.ts'), "import { newService } from 'micro-dev-orchestrator/kit';\nnewService({ nam: 'x' });\n");
    const tsc = await outcome(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', project]);
    const errors = tsc.output.split('\n').filter((l) => l.includes('error TS'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^wrong\.ts\(2,14\): error TS2561: .*'nam' does not exist in type 'ServiceOptions'/);
  });

  it('up runs the topology (and a built-in greeter from the package), answers through gateway and proxy, and Ctrl-C leaves nothing', async () => {
    const [registry, gateway, proxy, web, faults] = await distinctFreePorts(5);
    const file = join(project, 'micro.dev.yaml');
    const yaml = withPorts(readFileSync(file, 'utf8'), { registry, gateway, proxy, web, faults });
    await writeFile(
      file,
      // The built-in greeter from the package, once as a worker and once as a process (behind the guard).
      `${yaml}  greeter-srv:\n    module: ${GREETER}\n` +
        `  greeter-proc-srv:\n    runtime: process\n    command: [node, ${GREETER}]\n`,
    );

    // The command `npx micro-dev` runs (npm exec itself re-raises a SIGINT it got, so its own status says
    // nothing about micro-dev's). Its own process group, so SIGINT reaches it as Ctrl-C would.
    up = spawn(join(project, 'node_modules/.bin/micro-dev'), ['up', '--no-tui'], {
      cwd: project,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    up.stdout!.on('data', (d) => (output += d));
    up.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      up!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const deadline = Date.now() + 60_000;
    while (!output.includes('micro-dev ready')) {
      if (up.exitCode !== null || Date.now() > deadline) throw new Error(`up not ready within 60 s:\n${output}`);
      await new Promise((r) => up!.stdout!.once('data', r).once('close', r));
    }

    const hello = await fetch(`http://127.0.0.1:${gateway}/hello/say/hello?name=John`);
    expect({ status: hello.status, body: await hello.json() }).toEqual({ status: 200, body: { message: 'Hello John from hello' } });
    const rpc = await fetch(`http://127.0.0.1:${gateway}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'go.micro.srv.greeter', endpoint: 'Say.Hello', request: { name: 'Jane' } }),
    });
    expect({ status: rpc.status, body: await rpc.text() }).toEqual({ status: 200, body: '{"msg":"Hello Jane"}' });
    const call = await outcome('npx', ['micro-dev', 'call', 'go.micro.api.hello', 'Greeter.Hello', '{"name":"Ann"}']);
    expect(call.code).toBe(0);
    expect(JSON.parse(call.output)).toEqual({ msg: 'Hello Ann from hello' });

    const tree = [up.pid!, ...(await descendants(up.pid!))];
    expect(tree.length).toBeGreaterThanOrEqual(3); // micro-dev, the guard, the greeter process
        process.kill(-up.pid!, 'SIGINT');
    expect(await exited).toEqual({ code: 0, signal: null });
    const alive = tree.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '));
    expect(alive).toEqual([]);
    expect(await processesInProject()).toEqual([]);
    for (const port of [registry, gateway, proxy, web, faults]) expect(await portIsFree(port), `port ${port}`).toBe(true);
    expect(output).toMatch(/\bstopped\s*$/);
  });

  it('npx micro-dev new service writes each language from the templates the package ships; scenarios ship too', async () => {
    for (const [name, lang, files] of [
      ['orders', 'go', ['go.mod', 'main.go']],
      ['billing', 'python', ['main.py']],
      ['stock', 'ts', ['main.ts', 'package.json']],
    ] as const) {
      const made = await outcome('npx', ['micro-dev', 'new', 'service', name, '--lang', lang]);
      expect(made.code, made.output).toBe(0);
      expect((await readdir(join(project, 'services', name))).sort()).toEqual([...files]);
      expect(readFileSync(join(project, 'micro.dev.yaml'), 'utf8')).toMatch(new RegExp(`^  ${name}:$`, 'm'));
    }
    expect(readFileSync(join(project, 'services/stock/main.ts'), 'utf8')).toContain("from 'micro-dev-orchestrator/kit'");
    const valid = await outcome('npx', ['micro-dev', 'validate']);
    expect(valid).toEqual({ code: 0, output: 'micro.dev.yaml: ok\n' });
    // The built-in scenarios ship too.
    const scenarios = await outcome('npx', ['micro-dev', 'scenario', 'list']);
    expect(scenarios.code).toBe(0);
    expect(scenarios.output).toMatch(/^crash-restart {2,}\S/m);
  });
  it('npx micro-dev compare runs from the package: Eureka peers split, measured (the built-in greeter)', async () => {
    const run = await outcome('npx', ['micro-dev', 'compare', '--registries', 'eureka', '--scenarios', 'registry-partition']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/^\| registration during a partition \| allowed \(\d+ new on the isolated eureka-3\) \|$/m);
  });
});

describe('export from the packed package', () => {
  it('export compose and kubernetes stage micro-dev and the packages it runs with; the staged micro-dev runs on its own', async () => {
    const compose = await outcome('npx', ['micro-dev', 'export', 'compose', '-o', 'deploy/compose']);
    expect(compose.code, compose.output).toBe(0);
    const app = join(project, 'deploy/compose/app');
    const bin = `/app/node_modules/${PKG}/bin/micro-dev.js`;
    expect(readFileSync(join(project, 'deploy/compose/compose.yaml'), 'utf8')).toContain(`- ${bin}`);
    expect(existsSync(join(app, 'services/hello/main.ts'))).toBe(true);
    expect(existsSync(join(app, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(app, 'micro-dev-infra.yaml'))).toBe(true);
    // The staged copy runs without the project's node_modules: moved away, its micro-dev checks the infra config.
    const isolated = join(tmp, 'isolated-app');
    await run('cp', ['-r', app, isolated]);
    const { stdout } = await run('node', [join(isolated, `node_modules/${PKG}/bin/micro-dev.js`), 'validate', '-c', join(isolated, 'micro-dev-infra.yaml')], { env, timeout: 60_000 });
    expect(stdout).toContain('micro-dev-infra.yaml: ok');

    const k8s = await outcome('npx', ['micro-dev', 'export', 'kubernetes', '-o', 'deploy/kubernetes']);
    expect(k8s.code, k8s.output).toBe(0);
    expect(readFileSync(join(project, 'deploy/kubernetes/gateway.yaml'), 'utf8')).toContain(`- ${bin}`);
    expect(readFileSync(join(project, 'deploy/kubernetes/kustomization.yaml'), 'utf8')).toContain('- registry.yaml');
  });
});
