/**
 * A service in another language joins the trace by forwarding `traceparent`, nothing more: the Python
 * example (standard library only, a real python3 process) calls greeter-srv through the proxy with the
 * header it got, and the whole path is one trace with hello-py's links in the chain.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import type { SpanRecord } from '../../runner/traces/trace-types.ts';
import { eventually, repoRoot, writeTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;

beforeAll(async () => {
  const topo = await writeTopology(`  greeter-srv:
    module: ${join(repoRoot, 'services/greeter-srv/main.ts')}
  hello-py:
    runtime: process
    cwd: ${join(repoRoot, 'examples/polyglot/services/hello-py')}
    command: python3 -u main.py
`, 'polyglot-trace');
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
}, 60_000);
afterAll(async () => {
  await orchestrator?.shutdown();
});

describe('a Python service that forwards traceparent', () => {
  it('lands in the same trace, its links in the chain from the gateway to greeter-srv', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const res = await fetch(`${orchestrator.snapshot().urls.gateway}/hello-py/say/relay?name=Ada`, {
      headers: { traceparent: `00-${traceId}-eee19b7ec3c1b174-01` },
    });
    expect(await res.text()).toBe('{"message":"Hello Ada (via hello-py)"}');
    const trace = await eventually(
      async () => {
        const t = orchestrator.tracing!.store.get(traceId);
        return t?.spans.some((s) => s.name === 'greeter-srv-1/inbound') && t.spans.some((s) => s.kind === 'server' && s.service === 'micro-api') ? t : undefined;
      },
      10_000,
      'the trace to reach greeter-srv',
    );
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const chain: string[] = [];
    for (let s: SpanRecord | undefined = trace.spans.find((x) => x.name === 'greeter-srv-1/inbound'); s; s = s.parentId ? byId.get(s.parentId) : undefined) {
      chain.unshift(s.name);
    }
    expect(chain).toEqual([
      'GET /hello-py/say/relay',
      'go.micro.api.hello-py/Say.Relay',
      'hello-py-1/inbound',
      'hello-py-1/proxy',
      'POST /',
      'go.micro.srv.greeter/Say.Hello',
      'greeter-srv-1/inbound',
    ]);
    expect(byId.get(trace.spans.find((s) => s.name === 'GET /hello-py/say/relay')!.spanId)!.parentId).toBe('eee19b7ec3c1b174');
  });
});
