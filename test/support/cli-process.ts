/**
 * Runs the micro-dev CLI as a user would (a real child process of bin/micro-dev.js) and watches its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findListenPort } from '../../runner/net/find-listen-port.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = join(repoRoot, 'bin/micro-dev.js');
/**
 * The Node flags of the launcher's shebang (`#!/usr/bin/env -S node --max-semi-space-size=16 ...`): what a user's
 * `npx micro-dev` runs with. Benches pass them so they measure that process, not a plain `node bin/...`.
 */
export const launcherNodeFlags: string[] = (/^#!\S*env -S node(.*)$/m.exec(readFileSync(binPath, 'utf8').split('\n')[0]!)?.[1] ?? '').split(' ').filter(Boolean);

export class CliProcess {
  readonly child: ChildProcess;
  output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[], options: { cwd?: string; detached?: boolean; env?: Record<string, string | undefined>; nodeFlags?: string[] } = {}) {
    this.child = spawn(process.execPath, [...(options.nodeFlags ?? []), binPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Resolves when the output contains `text`; rejects if the process exits first or after timeoutMs. */
  waitFor(text: string | RegExp, timeoutMs = 30_000): Promise<void> {
    // A string is looked for in what came since the last look (plus an overlap): a thousand instances'
    // output is megabytes, and searching all of it on every chunk kept the test's own thread busy.
    let from = 0;
    const found = () => {
      if (typeof text !== 'string') return text.test(this.output);
      const hit = this.output.includes(text, from);
      from = Math.max(0, this.output.length - text.length);
      return hit;
    };
    return new Promise((resolve, reject) => {
      if (found()) return resolve();
      const timer = setTimeout(() => finish(new Error(`no "${text}" within ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
      const onData = () => found() && finish();
      const onExit = () => finish(new Error(`exited before "${text}"; output:\n${this.output}`));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.child.stdout!.off('data', onData);
        this.child.stderr!.off('data', onData);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      this.child.once('exit', onExit);
    });
  }
}

/** Runs a CLI command to completion. */
export async function runCli(args: string[], cwd = repoRoot): Promise<{ code: number | null; output: string }> {
  const cli = new CliProcess(args, { cwd });
  const { code } = await cli.exited;
  return { code, output: cli.output };
}

export interface TestTopology {
  dir: string;
  file: string;
  ports: { registry: number; gateway: number; proxy: number; web: number; faults: number };
}

// A free port is released before micro-dev binds it, so two calls could get the same one: never hand out a
// port twice in this process. Ports come from below the ephemeral range (findListenPort): a port the OS hands
// to a port-0 listener (micro-dev's control API, a link) can then never be the one the topology names.
// Other processes picking at random can still race; the start then fails with PORT_IN_USE.
const handedOut = new Set<number>();
export async function distinctFreePort(): Promise<number> {
  for (;;) {
    const port = await findListenPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * A topology on free ports in a temp folder: registry (time_scale 0.1), gateway (handler api), proxy, web,
 * faults, and `services` (the YAML under `services:`).
 */
export async function writeTopology(services: string, name = 'test'): Promise<TestTopology> {
  const dir = await mkdtemp(join(tmpdir(), `micro-dev-${name}-`));
  const ports = {
    registry: await distinctFreePort(),
    gateway: await distinctFreePort(),
    proxy: await distinctFreePort(),
    web: await distinctFreePort(),
    faults: await distinctFreePort(),
  };
  const yaml = `name: ${name}
registry: { port: ${ports.registry}, time_scale: 0.1 }
gateway: { port: ${ports.gateway}, handler: api }
proxy: { port: ${ports.proxy} }
web: { port: ${ports.web} }
faults: { port: ${ports.faults} }
services:
${services}`;
  const file = join(dir, 'micro.dev.yaml');
  await writeFile(file, yaml);
  return { dir, file, ports };
}

/** The 3-tier greeter (srv x2, api, web) on free ports; `extraServices` is appended to the services map. */
export function writeTestTopology(extraServices = ''): Promise<TestTopology> {
  const svc = (name: string) => join(repoRoot, 'services', name, 'main.ts');
  return writeTopology(`  greeter-srv:
    module: ${svc('greeter-srv')}
    replicas: 2
  greeter-api:
    module: ${svc('greeter-api')}
    depends_on: [greeter-srv]
  greeter-web:
    module: ${svc('greeter-web')}
    depends_on: [greeter-api]
${extraServices}`);
}

/** Pids of every live descendant of `pid` (from /proc), for no-orphan assertions. */
export async function descendants(pid: number): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process went away while we looked
    }
  }
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = [...parents].filter(([, ppid]) => frontier.includes(ppid)).map(([p]) => p);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Pids of live processes whose command line or environment contains `marker`. */
export async function processesWith(marker: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
      if (cmdline.includes(marker) || environ.includes(marker)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms${last ? `: ${last}` : ''}`);
}
