/**
 * Shared bits of the fault benches: child fixtures (see fixture.ts) and percentiles.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixture.ts', import.meta.url));

export interface Child {
  port: number;
  /** The admin API's port (fixture `admin` only). */
  admin?: number;
  stop(): void;
}

/** Starts fixture.ts with args; resolves with its port(s). stop() closes its stdin so it exits. */
export function startFixture(...args: string[]): Promise<Child> {
  const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fixture ${args.join(' ')} exited with ${code} before listening`)));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+)(?: ADMIN (\d+))?\n/.exec(out);
      if (m) resolve({ port: Number(m[1]), ...(m[2] ? { admin: Number(m[2]) } : {}), stop: () => child.stdin.end() });
    });
  });
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round3 = (x: number) => Math.round(x * 1000) / 1000;
