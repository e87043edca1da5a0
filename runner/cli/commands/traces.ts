/**
 * `micro-dev traces [--failed | --slow] [--service S] [--limit N] [--json]`: the traces a running `up`
 * keeps (the last ones, every failed and every slow one), newest first, one line each; `--json` prints
 * the summaries. `micro-dev trace ID` shows one as a waterfall.
 */
import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { controlRequest, traceQueryString } from '../../control/control-client.ts';
import type { TraceQuery, TraceSummary } from '../../engine/api.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { lineText } from '../../tui/lines/line.ts';
import { traceListLines } from '../../tui/lines/trace-lines.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('traces', args, {
    failed: { type: 'boolean' },
    slow: { type: 'boolean' },
    service: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length > 0) {
    throw new MicroDevError('BAD_ARGUMENTS', `traces takes no arguments, got ${positionals.join(' ')}`, {
      hints: ['one trace: micro-dev trace ID'],
    });
  }
  if (values.failed && values.slow) throw new MicroDevError('BAD_ARGUMENTS', 'traces: --failed and --slow are exclusive (pick one)');
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new MicroDevError('BAD_ARGUMENTS', `traces: --limit must be a whole number from 1 to 1000, got "${values.limit}"`);
  }
  if (values.service === '') throw new MicroDevError('BAD_ARGUMENTS', 'traces: --service needs a service or instance name');
  const query: TraceQuery = { limit };
  if (values.failed) query.failed = true;
  if (values.slow) query.slow = true;
  if (values.service !== undefined) query.service = values.service;
  const info = await requireRunning(configPath(values.config));
  const traces = await controlRequest<TraceSummary[]>(info, `/api/traces?${traceQueryString(query)}`);
  if (values.json) {
    process.stdout.write(JSON.stringify(traces, null, 2) + '\n');
    return 0;
  }
  if (traces.length === 0) {
    const which = values.failed ? 'failed ' : values.slow ? 'slow ' : '';
    process.stdout.write(`no ${which}traces kept${values.service ? ` for ${values.service}` : ''} (send a request through the gateway: every one is traced, unless telemetry.sample_ratio or OTEL_TRACES_SAMPLER leaves it out)\n`);
    return 0;
  }
  const width = Math.max(80, process.stdout.columns ?? 120);
  process.stdout.write(`  TIME     DUR    STATUS SPANS TRACE        NAME / WHAT EXPLAINS IT\n`);
  process.stdout.write(traceListLines(traces, { width }).map((l) => lineText(l).trimEnd() + '\n').join(''));
  process.stdout.write(`(${traces.length} shown; micro-dev trace ID for the waterfall)\n`);
  return 0;
}
