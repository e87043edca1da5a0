/**
 * CPU time from /proc, for the data-plane benches: what one request costs a serving process tree (every
 * thread of every process), its main thread alone, and how busy the whole machine was meanwhile.
 *
 *   before = cpuSnapshot(pids, mainPid) ── wrk round ── after = cpuSnapshot(...)
 *   cpuUse(before, after, requests) -> { cpuMsPerRequest, mainCpuMsPerRequest, machineBusy }
 *
 * machineBusy is the share of all cores' time not idle (1 = every core busy the whole round), wrk itself
 * included: with it near 1, moving work between threads cannot make a path faster, only doing less can.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { descendants } from '../../test/support/cli-process.ts';

const TICK_MS = 1000 / 100; // USER_HZ

/** utime + stime of one /proc stat line, in ms; 0 when the process or thread is gone. */
function statCpuMs(path: string): number {
  try {
    const stat = readFileSync(path, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU ms (utime + stime, all threads) of processes and their descendants. */
export async function treeCpuMs(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const pid of pids) {
    total += statCpuMs(`/proc/${pid}/stat`);
    for (const p of await descendants(pid)) total += statCpuMs(`/proc/${p}/stat`);
  }
  return total;
}

/** CPU ms (utime + stime) of a process's main thread alone. */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

/** All cores' time from /proc/stat, in ticks: total and idle (idle + iowait). */
function machineTicks(): { total: number; idle: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, idle: cpu[3]! + cpu[4]! };
}

export interface CpuSnapshot {
  treeMs: number;
  mainMs: number;
  machine: { total: number; idle: number };
}

export async function cpuSnapshot(pids: readonly number[], mainPid: number): Promise<CpuSnapshot> {
  return { treeMs: await treeCpuMs(pids), mainMs: mainThreadCpuMs(mainPid), machine: machineTicks() };
}

export interface CpuUse {
  /** CPU ms the serving tree spent per request answered. */
  cpuMsPerRequest: number;
  /** The same for its main thread alone. */
  mainCpuMsPerRequest: number;
  /** Share of all cores' time that was not idle (0-1), wrk included. */
  machineBusy: number;
}

export function cpuUse(before: CpuSnapshot, after: CpuSnapshot, requests: number): CpuUse {
  const total = after.machine.total - before.machine.total;
  const idle = after.machine.idle - before.machine.idle;
  const perRequest = (ms: number) => Math.round((ms / Math.max(1, requests)) * 1000) / 1000;
  return {
    cpuMsPerRequest: perRequest(after.treeMs - before.treeMs),
    mainCpuMsPerRequest: perRequest(after.mainMs - before.mainMs),
    machineBusy: total > 0 ? Math.round((1 - idle / total) * 1000) / 1000 : NaN,
  };
}

/** Cores the machine has (the denominator of machineBusy). */
export const coreCount = cpus().length;
