/**
 * The run file (`<config dir>/.micro-dev/run.json`) tells `status`, `down`, `ui` and `call` where a running
 * `up` is: its pid, the control API's URL and the token that API requires.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
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

export async function writeRunFile(info: RunInfo): Promise<string> {
  const path = runFilePath(info.configFile);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
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
  await rm(runFilePath(configFile), { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
