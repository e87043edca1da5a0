import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const RESULTS = join(here, '..', 'results', 'registry.json');

/** A registry in a child process; cpu() returns its user+system CPU in ms since start. */
export async function registryProcess(config: Record<string, unknown> = {}) {
  const child: ChildProcess = fork(join(here, 'registry-child.ts'), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { address: string }) => resolve(m.address));
    child.once('exit', (code) => reject(new Error(`registry child exited with ${code}`)));
  });
  const cpu = () =>
    new Promise<{ ms: number; at: number }>((resolve) => {
      child.once('message', (m: { cpu: NodeJS.CpuUsage; at: number }) => resolve({ ms: (m.cpu.user + m.cpu.system) / 1000, at: m.at }));
      child.send({ cmd: 'cpu' });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
    });
  return { address, url: `http://${address}`, cpu, stop };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Merges one benchmark's section into bench/results/registry.json. */
export function writeResult(section: string, data: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8'));
  } catch {
    // first run
  }
  all[section] = { ...data, node: process.version, at: new Date().toISOString() };
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, JSON.stringify(all, null, 2) + '\n');
  console.log(`${section}: ${JSON.stringify(data)}`);
}
