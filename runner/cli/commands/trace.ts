/**
 * `micro-dev trace ID [--json]`: one kept trace of a running `up` as a waterfall (spans by depth, a bar
 * per span on the trace's time axis, errors and toxic events under their span); ID may be a unique prefix.
 */
import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { TraceDetail } from '../../engine/api.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { lineText } from '../../tui/lines/line.ts';
import { waterfallLines } from '../../tui/lines/trace-lines.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('trace', args, { json: { type: 'boolean' } });
  if (positionals.length !== 1) {
    throw new MicroDevError('BAD_ARGUMENTS', `trace takes one trace ID, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`, {
      hints: ['micro-dev traces lists the kept ones'],
    });
  }
  const id = positionals[0]!;
  if (!/^[0-9a-fA-F]{4,32}$/.test(id)) {
    throw new MicroDevError('BAD_ARGUMENTS', `trace: "${id}" is not a trace ID (4 to 32 hex digits, a unique prefix is enough)`);
  }
  const info = await requireRunning(configPath(values.config));
  const res = await controlRequest<TraceDetail | { error: string }>(info, `/api/traces/${id.toLowerCase()}`);
  if ('error' in res) {
    throw new MicroDevError('COMMAND_FAILED', `trace ${id}: ${res.error}`, { hints: ['micro-dev traces lists the kept ones'] });
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(res, null, 2) + '\n');
    return 0;
  }
  const width = Math.max(80, process.stdout.columns ?? 120);
  process.stdout.write(waterfallLines(res, { width }).map((l) => lineText(l).trimEnd() + '\n').join(''));
  return 0;
}
