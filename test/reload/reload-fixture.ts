/**
 * A greeter topology whose greeter-srv is a temporary copy (so tests can edit it) with `watch` on, running
 * under a real Orchestrator on free ports. greeter-api stays the repository's; greeter-web is left out.
 * Leases run at real time (time_scale 1, as a user runs them): a scaled 1 s TTL would expire under the CPU
 * load of a benchmark and blame the reload for a heartbeat that came late.
 */
import { mkdtemp, readFile, rename, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { startWatching, type ReloadEvent, type Watching } from '../../runner/reload/service-watcher.ts';
import { distinctFreePort, repoRoot } from '../support/cli-process.ts';


export interface ReloadFixture {
  orchestrator: Orchestrator;
  watching: Watching;
  dir: string;
  /** The editable copy of services/greeter-srv/main.ts. */
  srvFile: string;
  gateway: string;
  /** Every reload run, with when it started (performance.now() ms). */
  events: (ReloadEvent & { startedAt: number })[];
  lines: string[];
  /** The service's source with `greeting` in place of "Hello". */
  source(greeting: string): string;
  /** Writes the service with `greeting` in place of "Hello" (in place: truncate + write). */
  edit(greeting: string): Promise<void>;
  /** An editor's atomic save: write a temp file beside it, rename it over the original. */
  atomicSave(greeting: string): Promise<void>;
  writeRaw(text: string): Promise<void>;
  hello(): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface ReloadFixtureOptions {
  /** container: the mount plan (base image, project bind-mounted read-only), so the fixture folder is made
   * under the repository's git-ignored .micro-dev/ where the kit is reachable inside the container. */
  runtime: 'worker' | 'process' | 'container';
  replicas: number;
  debounce?: string;
  /** watch.build, run in the fixture folder (which holds greeter-srv/ and micro.dev.yaml). */
  build?: string;
  cascade?: boolean;
  ignore?: string[];
  /** Files to create in the fixture folder before anything starts (path -> content). */
  files?: Record<string, string>;
}

export async function startReloadFixture(options: ReloadFixtureOptions): Promise<ReloadFixture> {
  const base = options.runtime === 'container' ? join(repoRoot, '.micro-dev') : tmpdir();
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(join(base, 'reload-test-'));
  await mkdir(join(dir, 'greeter-srv'));
  const srvFile = join(dir, 'greeter-srv', 'main.ts');
  const kit = join(repoRoot, 'services/kit/service.ts');
  const original = (await readFile(join(repoRoot, 'services/greeter-srv/main.ts'), 'utf8')).replace(/'\.\.\/kit\/([\w-]+\.ts)'/g, (_, file: string) => JSON.stringify(join(dirname(kit), file)));
  if (!original.includes(JSON.stringify(kit)) || original.includes("'../kit/")) throw new Error('greeter-srv/main.ts: its ../kit/ imports were not all made absolute');
  const version = (greeting: string) => original.replace("'Hello '", JSON.stringify(greeting + ' '));
  await writeFile(srvFile, original);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }

  // Never the same port twice (registry and proxy once got one port), and below the ephemeral range.
  const port = () => distinctFreePort();
  const srv = {
    worker: `module: ${srvFile}`,
    process: `runtime: process\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(srvFile)}]`,
    container: `runtime: container\n    container: { image: micro-dev/node:${process.versions.node.split('.')[0]} }\n    command: [node, ${JSON.stringify(srvFile)}]`,
  }[options.runtime];
  const yaml = `name: reload-test
registry: { port: ${await port()} }
gateway: { port: ${await port()}, handler: api }
proxy: { port: ${await port()} }
web: { port: ${await port()} }
faults: { port: ${await port()} }
control: { port: ${await port()} }
services:
  greeter-srv:
    ${srv}
    replicas: ${options.replicas}
    watch: ${JSON.stringify({
      paths: ['greeter-srv'],
      debounce: options.debounce ?? '100ms',
      ...(options.build ? { build: options.build } : {}),
      ...(options.cascade ? { cascade: true } : {}),
      ...(options.ignore ? { ignore: options.ignore } : {}),
    })}
  greeter-api:
    module: ${join(repoRoot, 'services/greeter-api/main.ts')}
    depends_on: [greeter-srv]
`;
  const file = join(dir, 'micro.dev.yaml');
  await writeFile(file, yaml);
  const topology = await loadTopology(file);
  const session = `reload-${process.pid}-${Date.now().toString(36)}`;
  const runtimes = await createRuntimes(topology);
  if (options.runtime === 'container') {
    const { ContainerRuntime } = await import('../../runner/runtimes/container/container-runtime.ts');
    runtimes.container = new ContainerRuntime({ topology: topology.name, session });
  }
  const orchestrator = new Orchestrator(topology, { runtimes });
  await orchestrator.start();
  const events: (ReloadEvent & { startedAt: number })[] = [];
  const lines: string[] = [];
  let watching: Watching;
  try {
    watching = await startWatching(orchestrator, topology, { onLine: (l) => lines.push(l), onReload: (e) => events.push({ ...e, startedAt: performance.now() - e.durationMs }) });
  } catch (error) {
    await orchestrator.shutdown();
    throw error;
  }
  const gateway = orchestrator.snapshot().urls.gateway;
  let tmp = 0;
  return {
    orchestrator,
    watching,
    dir,
    srvFile,
    gateway,
    events,
    lines,
    source: version,
    edit: (greeting) => writeFile(srvFile, version(greeting)),
    atomicSave: async (greeting) => {
      const temp = join(dir, 'greeter-srv', `.main.ts.${++tmp}.tmp`);
      await writeFile(temp, version(greeting));
      await rename(temp, srvFile);
    },
    writeRaw: (text) => writeFile(srvFile, text),
    hello: async () => {
      const res = await fetch(`${gateway}/greeter/say/hello?name=John`);
      return { status: res.status, body: await res.text() };
    },
    close: async () => {
      await watching.close();
      await orchestrator.shutdown();
      if (options.runtime === 'container') {
        const { sweepContainers } = await import('../../runner/runtimes/container/sweep.ts');
        await sweepContainers({ session });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
