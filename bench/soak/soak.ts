/**
 * Soak (issue 18): the default topology (the 3-tier greeter, real timings, on free ports) under steady load
 * through the gateway with `micro-dev chaos` on, sampled every --sample: RSS, open fds and threads of the
 * whole process tree, fault-plane links, micro-dev's live timers and handles, registry services and checks.
 * At the end: slopes (least squares over the last 40 minutes, or the last two thirds of a shorter run),
 * and the checks that gate the exit code:
 *   - chaos exited 0 and healed every fault it put on; no toxic is left on any link;
 *   - every instance is ready and its own registration passing (within 60 s of the last heal);
 *   - no request hung past its timeout (a request is hung when it took > timeout + 2 s to settle).
 * Flatness (no growth: the fitted growth over the window is under 10 % of the mean; a fall is flat too) is
 * reported per metric, not gated: short runs are too noisy for it. Results: bench/results/soak.json (every
 * sample, slopes, checks, machine load).
 *
 *   node_modules/.bin/node bench/soak/soak.ts [--minutes 60] [--sample 60s] [--rps 20] [--every 5s] [--seed N]
 */
import { readdir, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';
import { parseDuration } from '../../runner/config/parse-duration.ts';
import { controlRequest } from '../../runner/control/control-client.ts';
import { readRunFile } from '../../runner/control/run-file.ts';
import type { Snapshot } from '../../runner/engine/api.ts';
import { CliProcess, descendants, writeTestTopology } from '../../test/support/cli-process.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    sample: { type: 'string', default: '60s' },
    rps: { type: 'string', default: '20' },
    every: { type: 'string', default: '5s' },
    seed: { type: 'string' },
    timeout: { type: 'string', default: '5s' },
  },
});
const minutes = Number(values.minutes);
const sampleMs = parseDuration(values.sample!)!;
const rps = Number(values.rps);
const timeoutMs = parseDuration(values.timeout!)!;
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const HUNG_GRACE_MS = 2000;

// --- the topology: the default one on free ports, at real speed (time_scale 1) ---
const topo = await writeTestTopology();
await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace(', time_scale: 0.1', ''));
const up = new CliProcess(['up', '--no-tui', '-c', topo.file]);
await up.waitFor('micro-dev ready', 60_000);
// The run file is rewritten when `up` becomes ready: read it until it is there whole.
let runInfo = await readRunFile(topo.file);
for (let tries = 0; !runInfo && tries < 100; tries++) {
  await new Promise((r) => setTimeout(r, 50));
  runInfo = await readRunFile(topo.file);
}
if (!runInfo) throw new Error(`no run file for ${topo.file}`);
const info = runInfo;
const upPid = up.child.pid!;
console.log(`soak: ${minutes} min, ${rps} req/s, a fault every ${values.every}, sample every ${values.sample}; seed ${seed}; up pid ${upPid}`);

// --- steady load through the gateway: open loop, each request with its own timeout ---
const gateway = `http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=soak`;
const dispatcher = new Agent({ connections: 32 });
const load = { sent: 0, ok: 0, failed: 0, hung: 0, slowestMs: 0 };
const inFlight = new Set<Promise<void>>();
const sendOne = () => {
  load.sent++;
  const t0 = performance.now();
  const p = undiciFetch(gateway, { dispatcher, signal: AbortSignal.timeout(timeoutMs) })
    .then(async (res) => {
      await res.arrayBuffer();
      if (res.status === 200) load.ok++;
      else load.failed++;
    })
    .catch(() => void load.failed++)
    .finally(() => {
      const ms = performance.now() - t0;
      load.slowestMs = Math.max(load.slowestMs, ms);
      if (ms > timeoutMs + HUNG_GRACE_MS) load.hung++;
      inFlight.delete(p);
    });
  inFlight.add(p);
};
const loadTimer = setInterval(sendOne, 1000 / rps);

// --- chaos, through the CLI as a user runs it ---
const chaos = new CliProcess(['chaos', '-c', topo.file, '--duration', `${minutes}m`, '--every', values.every!, '--seed', seed]);

// --- sampling ---
interface Sample {
  minute: number;
  rssMb: number;
  fds: number;
  threads: number;
  processes: number;
  links: number;
  timers: number;
  handles: number;
  registryServices: number;
  registryChecks: number;
  requests: number;
  failed: number;
}
const samples: Sample[] = [];
const t0 = performance.now();

async function treeStats(): Promise<{ rssMb: number; fds: number; threads: number; processes: number }> {
  const pids = [upPid, ...(await descendants(upPid))];
  let rssKb = 0;
  let fds = 0;
  let threads = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    rssKb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    threads += Number(/Threads:\s+(\d+)/.exec(status)?.[1] ?? 0);
    fds += (await readdir(`/proc/${pid}/fd`).catch(() => [])).length;
  }
  return { rssMb: rssKb / 1024, fds, threads, processes: pids.length };
}

async function sample(): Promise<Sample> {
  const [tree, proxies, resources, services, checks] = await Promise.all([
    treeStats(),
    fetch(`http://127.0.0.1:${topo.ports.faults}/proxies`).then((r) => r.json() as Promise<Record<string, unknown>>),
    controlRequest<{ handles: Record<string, number> }>(info, '/api/resources'),
    fetch(`http://127.0.0.1:${topo.ports.registry}/v1/agent/services`).then((r) => r.json() as Promise<Record<string, unknown>>),
    fetch(`http://127.0.0.1:${topo.ports.registry}/v1/agent/checks`).then((r) => r.json() as Promise<Record<string, unknown>>),
  ]);
  const s: Sample = {
    minute: Number(((performance.now() - t0) / 60_000).toFixed(2)),
    rssMb: Number(tree.rssMb.toFixed(1)),
    fds: tree.fds,
    threads: tree.threads,
    processes: tree.processes,
    links: Object.keys(proxies).length,
    timers: resources.handles.Timeout ?? 0,
    handles: Object.values(resources.handles).reduce((a, b) => a + b, 0),
    registryServices: Object.keys(services).length,
    registryChecks: Object.keys(checks).length,
    requests: load.sent,
    failed: load.failed,
  };
  console.log(`soak ${s.minute.toFixed(1).padStart(5)} min: rss ${s.rssMb} MB, fds ${s.fds}, threads ${s.threads}, links ${s.links}, timers ${s.timers}, handles ${s.handles}, registry ${s.registryServices}/${s.registryChecks}, requests ${s.requests} (failed ${s.failed}, hung ${load.hung})`);
  return s;
}

samples.push(await sample());
const endAt = t0 + minutes * 60_000;
while (performance.now() + sampleMs <= endAt + 1000) {
  await new Promise((r) => setTimeout(r, sampleMs));
  samples.push(await sample());
}

// --- the end: chaos ends by itself (heals everything), then the checks ---
const chaosExit = await Promise.race([chaos.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 120_000))]);
clearInterval(loadTimer);
await Promise.allSettled([...inFlight]);
await dispatcher.close();

const checks: Record<string, { ok: boolean; detail: string }> = {};
checks.chaosHealedEverything = {
  ok: chaosExit?.code === 0 && /chaos done: (\d+) faults, \1 healed\n/.test(chaos.output) && !chaos.output.includes('NOT healed'),
  detail: /chaos done: .*/.exec(chaos.output)?.[0] ?? `chaos did not finish (exit ${JSON.stringify(chaosExit)})`,
};
const proxies = (await (await fetch(`http://127.0.0.1:${topo.ports.faults}/proxies`)).json()) as Record<string, { toxics: { name: string }[] }>;
const toxics = Object.entries(proxies).flatMap(([link, p]) => p.toxics.map((t) => `${link}:${t.name}`));
checks.noToxicLeft = { ok: toxics.length === 0, detail: toxics.length ? toxics.join(', ') : 'none' };
let lastState = '';
const allPassing = async () => {
  const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
  const checksNow = (await (await fetch(`http://127.0.0.1:${topo.ports.registry}/v1/agent/checks`)).json()) as Record<string, { Status: string }>;
  const notReady = snapshot.instances.filter((i) => i.state !== 'ready' || i.faults.length > 0).map((i) => `${i.instance} ${i.state} ${i.faults.join('+')}`);
  // The live instances' own registrations; a killed generation's entry stays critical until the lease
  // model reaps it (Consul: critical for > 1 min, reaper every 30 s), as it would in Consul.
  const notPassing = snapshot.instances
    .filter((i) => checksNow[`service:${i.registryId}`]?.Status !== 'passing')
    .map((i) => `${i.instance} (${i.registryId ?? 'not registered'}) ${checksNow[`service:${i.registryId}`]?.Status ?? 'no check'}`);
  lastState = [...notReady, ...notPassing].join(', ');
  return notReady.length === 0 && notPassing.length === 0 && snapshot.instances.length > 0;
};
const deadline = performance.now() + 60_000;
let passing = await allPassing();
while (!passing && performance.now() < deadline) {
  await new Promise((r) => setTimeout(r, 500));
  passing = await allPassing();
}
checks.everyInstancePassing = { ok: passing, detail: passing ? 'all ready and passing' : lastState };
checks.noRequestHung = { ok: load.hung === 0, detail: `${load.hung} of ${load.sent} took > ${timeoutMs + HUNG_GRACE_MS} ms; slowest ${Math.round(load.slowestMs)} ms` };

up.child.kill('SIGINT');
const upExit = await up.exited;
checks.upStoppedCleanly = { ok: upExit.code === 0, detail: `exit ${upExit.code ?? upExit.signal}` };

// --- slopes over the window (least squares, per minute) ---
const windowStart = Math.max(0, minutes - Math.min(40, (2 * minutes) / 3));
const window = samples.filter((s) => s.minute >= windowStart);
const metrics = ['rssMb', 'fds', 'threads', 'links', 'timers', 'handles', 'registryServices', 'registryChecks'] as const;
const slopes: Record<string, { perMinute: number; mean: number; growthOverWindow: number; flat: boolean }> = {};
for (const m of metrics) {
  const xs = window.map((s) => s.minute);
  const ys = window.map((s) => s[m]);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
  const slope = sxx === 0 ? 0 : xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / sxx;
  const span = xs.length > 1 ? xs[xs.length - 1] - xs[0] : 0;
  const growth = my === 0 ? 0 : (slope * span) / my;
  slopes[m] = { perMinute: Number(slope.toFixed(4)), mean: Number(my.toFixed(1)), growthOverWindow: Number(growth.toFixed(3)), flat: growth < 0.1 };
}

const result = {
  bench: 'soak',
  at: new Date().toISOString(),
  node: process.version,
  load1AtEnd: loadavg()[0],
  minutes,
  sampleEveryMs: sampleMs,
  rps,
  requestTimeoutMs: timeoutMs,
  chaosEvery: values.every,
  seed: Number(seed),
  windowFromMinute: windowStart,
  requests: { ...load, slowestMs: Math.round(load.slowestMs) },
  faultsApplied: Number(/chaos done: (\d+) faults/.exec(chaos.output)?.[1] ?? 0),
  checks,
  slopes,
  samples,
};
await rm(topo.dir, { recursive: true, force: true });
await mkdir('bench/results', { recursive: true });
const out = minutes >= 60 ? 'bench/results/soak.json' : `bench/results/soak-${minutes}min.json`;
await writeFile(out, JSON.stringify(result, null, 2) + '\n');
const failedChecks = Object.entries(checks).filter(([, c]) => !c.ok);
for (const [name, c] of Object.entries(checks)) console.log(`soak check ${c.ok ? 'ok  ' : 'FAIL'} ${name}: ${c.detail}`);
for (const [m, s] of Object.entries(slopes)) console.log(`soak slope ${m.padEnd(16)} ${s.perMinute}/min, ${(100 * s.growthOverWindow).toFixed(1)} % over the window${s.flat ? '' : '  (NOT flat)'}`);
console.log(`soak: results in ${out}`);
process.exit(failedChecks.length ? 1 : 0);
