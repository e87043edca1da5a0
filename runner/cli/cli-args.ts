import { parseArgs, type ParseArgsConfig } from 'node:util';
import { resolve } from 'node:path';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { isAlive, readRunFile, type RunInfo } from '../control/run-file.ts';
import { findConfigFile } from './find-config-file.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with micro-dev's common `-c/--config`, turning its errors into a clear BAD_ARGUMENTS. */
export function parseCli<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' }, ...options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    let message = error instanceof Error ? error.message : String(error);
    // Node's text goes on about positionals after `--`; the user only needs the flag it did not know.
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'([^']+)'/.exec(message);
    if (unknown) message = `unknown option ${unknown[1]}`;
    throw new MicroDevError('BAD_ARGUMENTS', `${command}: ${message}`, {
      hints: [`micro-dev ${command} --help shows the options`],
    });
  }
}

/** `-c FILE` as given, else micro.dev.yaml in the current folder or the nearest parent that has one. */
export function configPath(value: unknown): string {
  return typeof value === 'string' ? resolve(value) : findConfigFile(process.cwd());
}

/** The running `up` for a config, or a NOT_RUNNING error that says how to start one. */
export async function requireRunning(configFile: string): Promise<RunInfo> {
  const info = await readRunFile(configFile);
  if (!info || !isAlive(info.pid)) {
    throw new MicroDevError('NOT_RUNNING', `micro-dev up is not running for ${configFile}`, {
      hints: [startHint(configFile)],
    });
  }
  return info;
}

/** How to start `up` for this config: `-c FILE` unless it is the default file of the current folder. */
export function startHint(configFile: string): string {
  return 'start it with: npx micro-dev up' + (configFile === configPath(undefined) ? '' : ` -c ${configFile}`);
}
