/**
 * `micro-dev traces` and `micro-dev trace ID` against a running `up` (greeter-api -> greeter-srv): the list
 * as text and JSON, filters, the waterfall of one trace with every hop, and clear errors for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, eventually, runCli } from '../support/cli-process.ts';
import { stackTraceLine, upWithApiTier, writeSmallTopology, type SmallTopology } from './cli-topology.ts';
import type { TraceSummary } from '../../runner/engine/api.ts';

let topo: SmallTopology;
let up: CliProcess;

beforeAll(async () => {
  ({ topo, up } = await upWithApiTier());
});

afterAll(async () => {
  if (up?.child.exitCode === null) {
    up.child.kill('SIGTERM');
    await up.exited;
  }
});

const cli = (...args: string[]) => runCli([...args, '-c', topo.file]);

describe('micro-dev traces / trace with an up running', () => {
  it('lists the trace of a request through the gateway and shows it as a waterfall across every hop', async () => {
    const res = await fetch(`http://127.0.0.1:${topo.ports.gateway}/greeter/say/hello?name=Ada`);
    expect(await res.text()).toContain('Hello Ada');
    const trace = await eventually(
      async () => {
        const { code, output } = await cli('traces', '--json', '--service', 'greeter-srv-1');
        expect(code).toBe(0);
        return (JSON.parse(output) as TraceSummary[]).find((t) => t.name === 'GET /greeter/say/hello');
      },
      15_000,
      'the request in `traces --json`',
    );
    expect(trace.failed).toBe(false);
    expect(trace.services).toEqual(expect.arrayContaining(['micro-api', 'micro-proxy', 'greeter-api-1', 'greeter-srv-1']));

    const list = await cli('traces');
    expect(list.code).toBe(0);
    expect(list.output).toMatch(new RegExp(`ok +\\d+ ${trace.traceId.slice(0, 12)} GET /greeter/say/hello`));

    const waterfall = await cli('trace', trace.traceId.slice(0, 8));
    expect(waterfall.code).toBe(0);
    const lines = waterfall.output.split('\n');
    expect(lines[0]).toContain(`trace ${trace.traceId} ok   GET /greeter/say/hello`);
    const order = ['GET /greeter/say/hello [micro-api]', 'greeter-api-1/inbound [micro-faults]', 'greeter-api-1/proxy [micro-faults]', 'POST / [micro-proxy]', 'greeter-srv-1/inbound [micro-faults]'];
    const at = order.map((name) => lines.findIndex((l) => l.includes(name)));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(lines.find((l) => l.includes('greeter-srv-1/inbound'))).toMatch(/\|\s*█+\s*\|$/);

    const json = JSON.parse((await cli('trace', trace.traceId, '--json')).output) as { spans: { traceId: string }[] };
    expect(json.spans.length).toBe(trace.spans);
    expect(json.spans.every((s) => s.traceId === trace.traceId)).toBe(true);
  });

  it('says when nothing matches a filter', async () => {
    expect(await cli('traces', '--failed')).toEqual({ code: 0, output: 'no failed traces kept (send a request through the gateway: every one is traced, unless telemetry.sample_ratio or OTEL_TRACES_SAMPLER leaves it out)\n' });
    expect((await cli('traces', '--service', 'nobody')).output).toBe('no traces kept for nobody (send a request through the gateway: every one is traced, unless telemetry.sample_ratio or OTEL_TRACES_SAMPLER leaves it out)\n');
  });

  it('names what is wrong with bad input, without a stack', async () => {
    const cases: [string[], number, string][] = [
      [['traces', '--failed', '--slow'], 2, 'micro-dev: traces: --failed and --slow are exclusive (pick one)\n'],
      [['traces', '--limit', '0'], 2, 'micro-dev: traces: --limit must be a whole number from 1 to 1000, got "0"\n'],
      [['traces', 'extra'], 2, 'micro-dev: traces takes no arguments, got extra\n  hint: one trace: micro-dev trace ID\n'],
      [['trace'], 2, 'micro-dev: trace takes one trace ID, got none\n  hint: micro-dev traces lists the kept ones\n'],
      [['trace', 'xyz'], 2, 'micro-dev: trace: "xyz" is not a trace ID (4 to 32 hex digits, a unique prefix is enough)\n'],
      [['trace', 'deadbeef'], 1, 'micro-dev: trace deadbeef: no trace deadbeef is kept (unknown, evicted, or a prefix that names more than one)\n  hint: micro-dev traces lists the kept ones\n'],
    ];
    for (const [args, code, output] of cases) {
      const got = await cli(...args);
      expect(got, args.join(' ')).toEqual({ code, output });
      expect(got.output).not.toMatch(stackTraceLine);
    }
  });

  it('has --help for both commands', async () => {
    const traces = await runCli(['traces', '--help']);
    expect(traces.code).toBe(0);
    expect(traces.output).toMatch(/^micro-dev traces \[--failed \| --slow\] \[--service S\]/);
    const trace = await runCli(['trace', '--help']);
    expect(trace.output).toMatch(/^micro-dev trace ID \[--json\]/);
  });
});

describe('micro-dev traces without an up', () => {
  it('says that up is not running and how to start it', async () => {
    const other = await writeSmallTopology();
    const { code, output } = await runCli(['traces', '-c', other.file]);
    expect(code).toBe(1);
    expect(output).toMatch(/^micro-dev: micro-dev up is not running for .*micro\.dev\.yaml\n {2}hint: start it with: npx micro-dev up -c /);
  });
});
