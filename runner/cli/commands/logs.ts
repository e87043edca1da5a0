/**
 * `micro-dev logs [SERVICE|INSTANCE] [-f] [--since D] [--grep RE] [--tail N]`: the kept output of the
 * instances, one `instance | line` per line, oldest first.
 *
 *   up running  ──> control API: /api/logs (the engine's ring per instance), then with -f the live log
 *                   events of /api/events until Ctrl-C or the end of `up`
 *   not running ──> the files `up` kept in .micro-dev/logs (rotated ones included); -f needs a running up
 */
import WebSocket from 'ws';
import { parseCli, configPath, startHint } from '../cli-args.ts';
import { controlRequest } from '../../control/control-client.ts';
import { isAlive, logDirOf, readRunFile, type RunInfo } from '../../control/run-file.ts';
import type { Snapshot } from '../../engine/api.ts';
import type { Update } from '../../engine/store.ts';
import type { BufferedLine } from '../../engine/log-buffer.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { parseDuration } from '../../../services/kit/duration.ts';
import { pickInstances } from '../pick-instances.ts';
import { readLogFiles } from '../read-log-files.ts';

interface LogFilter {
  since?: number;
  grep?: RegExp;
}

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('logs', args, {
    follow: { type: 'boolean', short: 'f' },
    since: { type: 'string' },
    grep: { type: 'string' },
    tail: { type: 'string' },
  });
  if (positionals.length > 1) {
    throw new MicroDevError('BAD_ARGUMENTS', `logs takes at most one SERVICE or INSTANCE, got ${positionals.join(' ')}`);
  }
  const target = positionals[0];
  const filter: LogFilter = { since: sinceOf(values.since), grep: grepOf(values.grep) };
  const tail = values.tail === undefined ? 1000 : Number(values.tail);
  if (!Number.isInteger(tail) || tail < 0) throw new MicroDevError('BAD_ARGUMENTS', `logs: --tail must be a whole number of lines, got "${values.tail}"`);
  const file = configPath(values.config);
  const info = await readRunFile(file);
  if (info && isAlive(info.pid)) return fromRunningUp(info, target, filter, tail, values.follow === true);
  if (values.follow) {
    throw new MicroDevError('NOT_RUNNING', `logs -f follows a running up, and micro-dev up is not running for ${file}`, { hints: [startHint(file)] });
  }
  const dir = logDirOf(file);
  const kept = await readLogFiles(dir);
  if (kept.instances.length === 0) {
    throw new MicroDevError('NOT_RUNNING', `no logs kept in ${dir}: micro-dev up has not run here`, { hints: [startHint(file)] });
  }
  const wanted = new Set(pickInstances(target, kept.instances.map((instance) => ({ instance, service: serviceOf(instance) }))));
  print(kept.lines.filter((l) => wanted.has(l.instance) && matches(l, filter)).slice(-tail || Infinity));
  return 0;
}

async function fromRunningUp(info: RunInfo, target: string | undefined, filter: LogFilter, tail: number, follow: boolean): Promise<number> {
  const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot');
  const wanted = new Set(pickInstances(target, snapshot.instances.map((i) => ({ instance: i.instance, service: i.service }))));
  // Live events are buffered from before the history is read, so nothing falls between the two.
  const live = follow ? await openEvents(info) : undefined;
  const history = (
    await Promise.all([...wanted].map((instance) => controlRequest<BufferedLine[]>(info, `/api/logs?instance=${encodeURIComponent(instance)}&limit=100000`)))
  )
    .flat()
    .sort((a, b) => a.at - b.at)
    .filter((l) => matches(l, filter));
  const shown = history.slice(-tail || Infinity);
  print(shown);
  if (!live) return 0;
  const seen = new Set(history.map(key));
  return live.follow((line) => {
    if (wanted.has(line.instance) && !seen.has(key(line)) && matches(line, filter)) print([line]);
  });
}

/** The control API's event stream; log events are held until follow() starts printing them. */
async function openEvents(info: RunInfo): Promise<{ follow(onLine: (line: BufferedLine) => void): Promise<number> }> {
  const ws = new WebSocket(info.controlUrl.replace(/^http/, 'ws') + '/api/events', { headers: { authorization: `Bearer ${info.token}` } });
  const held: BufferedLine[] = [];
  let onLine: ((line: BufferedLine) => void) | undefined;
  ws.on('message', (data) => {
    const update = JSON.parse(String(data)) as Update;
    if (!('event' in update) || update.event.type !== 'log') return;
    const { instance, stream, line, at } = update.event;
    const entry = { instance, stream, line, at };
    if (onLine) onLine(entry);
    else held.push(entry);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) => reject(new MicroDevError('NOT_RUNNING', `micro-dev up (pid ${info.pid}) is not answering at ${info.controlUrl}: ${error.message}`)));
  });
  return {
    follow(print) {
      onLine = print;
      held.splice(0).forEach(print);
      return new Promise<number>((resolve) => {
        const stop = () => {
          ws.close();
          resolve(0);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        ws.once('close', () => resolve(0)); // the up ended
      });
    },
  };
}

function key(l: BufferedLine): string {
  return `${l.instance}\u0000${l.at}\u0000${l.line}`;
}

function matches(l: BufferedLine, filter: LogFilter): boolean {
  return (filter.since === undefined || l.at >= filter.since) && (filter.grep === undefined || filter.grep.test(l.line));
}

function print(lines: readonly BufferedLine[]): void {
  if (lines.length === 0) return;
  process.stdout.write(lines.map((l) => `${l.instance.padEnd(16)} | ${l.line}\n`).join(''));
}

/** `greeter-srv-2` -> `greeter-srv` (instances are `<service>-<replica>`). */
function serviceOf(instance: string): string {
  return instance.replace(/-\d+$/, '');
}

/** `--since 5m` (a duration back from now) or `--since 2026-12-02T14:00:00Z` (a time). */
function sinceOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const at = Date.parse(value);
    if (Number.isNaN(at)) throw new MicroDevError('BAD_ARGUMENTS', `logs: --since ${value} is not a time (e.g. 2026-12-02T14:00:00Z) nor a duration (e.g. 5m)`);
    return at;
  }
  try {
    return Date.now() - parseDuration(value, '--since');
  } catch {
    throw new MicroDevError('BAD_ARGUMENTS', `logs: --since ${value} is neither a duration (e.g. 30s, 5m, 1h) nor a time (e.g. 2026-12-02T14:00:00Z)`);
  }
}

function grepOf(value: string | undefined): RegExp | undefined {
  if (value === undefined) return undefined;
  try {
    return new RegExp(value);
  } catch (error) {
    throw new MicroDevError('BAD_ARGUMENTS', `logs: --grep ${JSON.stringify(value)} is not a regular expression (${(error as Error).message})`);
  }
}
