/**
 * The run file (`<config dir>/.micro-dev/run.json`) tells `status`, `down`, `ui` and `call` where a running
 * `up` is: its pid, the control API's URL and the token that API requires.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface RunInfo {
  pid: number;
  controlUrl: string;
  token: string;
  configFile: string;
  topology: string;
  startedAt: number;
  urls: { gateway: string; proxy: string; web: string; registry: string; faults?: string };
  /** host:port of the in-process broker (for `micro-dev publish`). */
  broker?: string;
}

export function runFilePath(configFile: string): string {
  return join(dirname(configFile), '.micro-dev', 'run.json');
}

/** Where `up` keeps every instance's output (`<config dir>/.micro-dev/logs`, see engine/log-files.ts). */
export function logDirOf(configFile: string): string {
  return join(dirname(configFile), '.micro-dev', 'logs');
}

/**
 * Written whole or not at all (a temporary file renamed over it): `up` rewrites it while running, and a
 * `status` reading a half-written file would take `up` for not running.
 */
export async function writeRunFile(info: RunInfo): Promise<string> {
  const path = runFilePath(info.configFile);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  await rename(temporary, path);
  return path;
}

/** The run file, or undefined when there is none (or it is unreadable). */
export async function readRunFile(configFile: string): Promise<RunInfo | undefined> {
  try {
    return JSON.parse(await readFile(runFilePath(configFile), 'utf8')) as RunInfo;
  } catch {
    return undefined;
  }
}

export async function removeRunFile(configFile: string): Promise<void> {
  const path = runFilePath(configFile);
  await rm(path, { force: true });
  await rm(`${path}.${process.pid}.tmp`, { force: true }); // a write cut short
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
