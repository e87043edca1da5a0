/**
 * `telemetry.sample_ratio` through a real `up`: at 0 the gateway starts every trace unsampled, every hop
 * passes it through (the service gets a traceparent with flags 00) and nothing is recorded; a caller's
 * sampled traceparent is still followed (parent-based sampling).
 */
import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { eventually, repoRoot, writeTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;
let gateway: string;

beforeAll(async () => {
  const topo = await writeTopology(`  echo:
    module: ${repoRoot}test/traces/fixtures/trace-echo.ts
`, 'sampling');
  await appendFile(topo.file, 'telemetry: { sample_ratio: 0 }\n');
  const topology = await loadTopology(topo.file);
  expect(topology.telemetry.sampleRatio).toBe(0);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
  gateway = orchestrator.snapshot().urls.gateway;
});
afterAll(async () => {
  await orchestrator?.shutdown();
});

async function seen(headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${gateway}/echo/trace/seen`, { headers });
  expect(res.status).toBe(200);
  return ((await res.json()) as { traceparent: string }).traceparent;
}

describe('telemetry.sample_ratio: 0', () => {
  it('starts unsampled traces that every hop passes through, and records none', async () => {
    const store = orchestrator.tracing!.store;
    expect(orchestrator.tracing!.sampleRatio).toBe(0);
    const values = [];
    for (let i = 0; i < 5; i++) values.push(await seen());
    for (const value of values) expect(value).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(new Set(values.map((v) => v.slice(3, 35))).size).toBe(5);
    expect(store.size()).toEqual({ traces: 0, spans: 0 });
  });

  it("still records a trace a caller sampled", async () => {
    const traceId = '8d2e9f3a1b4d4e5f8a7b6c5d4e3f2a1b';
    const got = await seen({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(got).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const trace = await eventually(async () => {
      const t = orchestrator.tracing!.store.get(traceId);
      return t?.spans.some((s) => s.name === 'echo-1/inbound') && t.spans.some((s) => s.kind === 'server') ? t : undefined;
    }, 10_000, 'the sampled trace');
    expect(trace.spans.find((s) => s.kind === 'server')?.parentId).toBe('00f067aa0ba902b7');
  });
});
