/**
 * The measuring side of bench/tui/gateway-with-dashboard.ts: a closed-loop keep-alive load generator that
 * counts only exact answers, latency and stalls, CPU time of pids from /proc, and one round's numbers.
 * Runs in the bench process, never in micro-dev's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Pool } from 'undici';

/** dashboard: `up` in a tmux pane; no-tui: `up --no-tui` > file; pane-no-tui: `up --no-tui` in a tmux pane. */
export type Mode = 'dashboard' | 'no-tui' | 'pane-no-tui';

/** What to request and what counts as an answer. */
export interface LoadShape {
  concurrency: number;
  path: string;
  /** The exact body of a counted 200 answer. */
  expected: string;
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU seconds (user + system) of pids so far; a pid that is gone counts 0. */
export function cpuSeconds(pids: number[]): number {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
    } catch {
      // gone
    }
  }
  return ticks / CLK_TCK;
}

/** Resident set of pid in MB; 0 when it is gone. */
export function rssMb(pid: number): number {
  try {
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** What one mode accumulated in one round (over one window or many slices). */
export interface Tally {
  ok: number;
  bad: number;
  errors: number;
  seconds: number;
  cpu: number;
  terminalCpu: number;
  selfCpu: number;
  frames: number;
  bytes: number;
  examples: string[];
  /** Milliseconds per answered request. */
  latencies: number[];
  /** Gaps of more than STALL_MS in which no answer at all arrived (the gateway's event loop held up). */
  stalls: number;
  stallMs: number;
  /** Largest resident set of micro-dev seen after a measurement, MB. */
  rssMb: number;
  invalid?: string;
}
export const emptyTally = (): Tally => ({
  ...{ ok: 0, bad: 0, errors: 0, seconds: 0, cpu: 0, terminalCpu: 0, selfCpu: 0, frames: 0, bytes: 0 },
  ...{ examples: [], latencies: [], stalls: 0, stallMs: 0, rssMb: 0 },
});
// With 32 requests in flight answers arrive every ~1 ms; 10 ms of silence means the pipeline stood still.
const STALL_MS = 10;

/** Closed loop for ms: o.concurrency loops, each sending the next request when the last answered. */
export async function drive(pool: Pool, ms: number, into: Tally, o: LoadShape): Promise<void> {
  const note = (what: string) => into.examples.length < 3 && into.examples.push(what);
  const start = performance.now();
  const end = start + ms;
  let last = start;
  const answered = (t0: number) => {
    const now = performance.now();
    if (now - last > STALL_MS) {
      into.stalls++;
      into.stallMs += now - last;
    }
    last = now;
    return now - t0;
  };
  const loop = async () => {
    while (performance.now() < end) {
      try {
        const t0 = performance.now();
        const res = await pool.request({ path: o.path, method: 'GET' });
        const body = await res.body.text();
        const ms = answered(t0);
        if (res.statusCode === 200 && body === o.expected) {
          into.ok++;
          into.latencies.push(ms);
        }
        else {
          into.bad++;
          note(`${res.statusCode} ${body.slice(0, 120)}`);
        }
      } catch (error) {
        into.errors++;
        note(String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  into.seconds += (performance.now() - start) / 1000;
}

export interface RoundResult {
  round: number;
  mode: Mode;
  rps: number;
  ok: number;
  bad: number;
  errors: number;
  seconds: number;
  /** micro-dev's CPU milliseconds per answered request. */
  cpuMsPerRequest: number;
  /** micro-dev's CPU as a share of one core over the measured time. */
  microDevCores: number;
  /** Dashboard mode: the tmux server's CPU per request, full frames and KB it was sent per second. */
  terminalCpuMsPerRequest?: number;
  terminalFramesPerSecond?: number;
  terminalKBPerSecond?: number;
  /** This process's (the load generator's) CPU per request. */
  loadGenCpuMsPerRequest: number;
  /** Latency of answered requests (closed loop, so mostly queueing), milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How often and for what share of the time no answer arrived for more than STALL_MS. */
  stallsPerSecond: number;
  stalledShare: number;
  rssMb: number;
  loadavg1m: number;
  examples?: string[];
  invalid?: string;
}

export const r3 = (n: number) => Math.round(n * 1000) / 1000;
export function toResult(round: number, mode: Mode, t: Tally): RoundResult {
  const perReq = (s: number) => r3((s * 1000) / Math.max(1, t.ok));
  const lat = t.latencies.sort((a, b) => a - b);
  const pct = (q: number) => Math.round((lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] ?? NaN) * 10) / 10;
  return {
    round,
    mode,
    rps: Math.round(t.ok / t.seconds),
    ok: t.ok,
    bad: t.bad,
    errors: t.errors,
    seconds: r3(t.seconds),
    cpuMsPerRequest: perReq(t.cpu),
    microDevCores: Math.round((t.cpu / t.seconds) * 100) / 100,
    ...(mode === 'dashboard'
      ? {
          terminalCpuMsPerRequest: perReq(t.terminalCpu),
          terminalFramesPerSecond: Math.round((t.frames / t.seconds) * 10) / 10,
          terminalKBPerSecond: Math.round(t.bytes / t.seconds / 102.4) / 10,
        }
      : {}),
    loadGenCpuMsPerRequest: perReq(t.selfCpu),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    maxMs: pct(1),
    stallsPerSecond: Math.round((t.stalls / t.seconds) * 10) / 10,
    stalledShare: r3(t.stallMs / 1000 / t.seconds),
    rssMb: t.rssMb,
    loadavg1m: Math.round(loadavg()[0] * 100) / 100,
    ...(t.examples.length ? { examples: t.examples } : {}),
    ...(t.invalid ? { invalid: t.invalid } : {}),
  };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
