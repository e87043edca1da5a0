/**
 * A service in another language joins the trace by forwarding `traceparent`, nothing more: the Python and
 * the Go examples (standard library only; a real python3 process, a real `go build` and its binary) call
 * greeter-srv through the proxy with the header they got, and the whole path is one trace with the
 * service's links in the chain.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import type { SpanRecord } from '../../runner/traces/trace-types.ts';
import { eventually, repoRoot, writeTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;
let bin: string;

beforeAll(async () => {
  // The Go example built for real (standard library only: nothing is downloaded), out of the repository.
  bin = await mkdtemp(join(tmpdir(), 'micro-dev-go-trace-'));
  const goDir = join(repoRoot, 'examples/polyglot/services/hello-go');
  await promisify(execFile)('go', ['build', '-o', join(bin, 'hello-go'), '.'], { cwd: goDir, timeout: 150_000 });
  const topo = await writeTopology(`  greeter-srv:
    module: ${join(repoRoot, 'services/greeter-srv/main.ts')}
  hello-py:
    runtime: process
    cwd: ${join(repoRoot, 'examples/polyglot/services/hello-py')}
    command: python3 -u main.py
  hello-go:
    runtime: process
    cwd: ${goDir}
    command: ${join(bin, 'hello-go')}
`, 'polyglot-trace');
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
}, 180_000);
afterAll(async () => {
  await orchestrator?.shutdown();
  if (bin) await rm(bin, { recursive: true, force: true });
});

describe.each([
  ['Python', 'hello-py', '5b8efff798038103d269b633813fc60c'],
  ['Go', 'hello-go', '0af7651916cd43dd8448eb211c80319c'],
])('a %s service that forwards traceparent', (_lang, name, traceId) => {
  it('lands in the same trace, its links in the chain from the gateway to greeter-srv', async () => {
    const res = await fetch(`${orchestrator.snapshot().urls.gateway}/${name}/say/relay?name=Ada`, {
      headers: { traceparent: `00-${traceId}-eee19b7ec3c1b174-01` },
    });
    expect(await res.text()).toBe(`{"message":"Hello Ada (via ${name})"}`);
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
      `GET /${name}/say/relay`,
      `go.micro.api.${name}/Say.Relay`,
      `${name}-1/inbound`,
      `${name}-1/proxy`,
      'POST /',
      'go.micro.srv.greeter/Say.Hello',
      'greeter-srv-1/inbound',
    ]);
    expect(byId.get(trace.spans.find((s) => s.name === `GET /${name}/say/relay`)!.spanId)!.parentId).toBe('eee19b7ec3c1b174');
  });
});
