/**
 * The processes the tracing and profile benches load: the bare Node chain (bench/e2e/bare-chain.ts) and a
 * `micro-dev up` of the default greeter layout (greeter-srv x2, greeter-api) with tracing on or off, both
 * on the machine's default registry timing. Each child joins `children`, so the bench's cleanup kills it
 * whatever happens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { launcherNodeFlags, repoRoot, writeTopology } from '../../test/support/cli-process.ts';
import { spawnUp } from '../e2e/spawn-up.ts';

export interface BenchProcesses {
  children: Set<ChildProcess>;
  /** Where the `up`s' logs go, and the working folder of the `up`s and the bare chain (what a profiling flag writes lands there). */
  dir: string;
  /** Node flags added to the launcher's (or to none, for the bare chain), e.g. --perf-prof. */
  extraNodeFlags?: string[];
}

/** `args`: the chain's own options (`--otel`: traced by OpenTelemetry's Node SDK and HTTP instrumentation). */
export async function startBareChain(env: BenchProcesses, args: string[] = []): Promise<{ url: string; pid: number }> {
  const child = spawn(process.execPath, [...(env.extraNodeFlags ?? []), join(repoRoot, 'bench/e2e/bare-chain.ts'), ...args], {
    // in the bench's folder, as the ups: what a profiling flag writes to the working directory goes with it
    cwd: env.dir,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  env.children.add(child);
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('READY ') && resolve(l.slice(6)));
    child.once('exit', (c) => reject(new Error(`bare chain exited ${c}`)));
  });
  return { url: `http://${address}/greeter/say/hello?name=John`, pid: child.pid! };
}

export async function startGreeterUp(name: string, traces: boolean, env: BenchProcesses): Promise<{ url: string; pid: number; file: string; logFile: string; stop(): Promise<void> }> {
  const svc = (s: string) => join(repoRoot, 'services', s, 'main.ts');
  const topo = await writeTopology(`  greeter-srv:\n    module: ${svc('greeter-srv')}\n    replicas: 2\n  greeter-api:\n    module: ${svc('greeter-api')}\n    depends_on: [greeter-srv]\n`, name);
  // default registry timing (writeTopology's time_scale 0.1 is for tests); tracing on or off
  writeFileSync(topo.file, readFileSync(topo.file, 'utf8').replace(', time_scale: 0.1', '').replace('services:\n', `telemetry: { traces: ${traces} }\nservices:\n`));
  const logFile = join(env.dir, `${name}.log`);
  const { child, exited } = await spawnUp(topo.file, { nodeFlags: [...launcherNodeFlags, ...(env.extraNodeFlags ?? [])], logFile, cwd: env.dir, children: env.children });
  const url = `http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=John`;
  const res = await request(url);
  if (!(await res.body.text()).includes('Hello John')) throw new Error(`${name} does not answer`);
  return {
    url,
    pid: child.pid!,
    file: topo.file,
    logFile,
    async stop() {
      child.kill('SIGINT');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
      env.children.delete(child);
      rmSync(topo.dir, { recursive: true, force: true });
    },
  };
}
