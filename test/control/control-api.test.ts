/**
 * The control API over real HTTP and a real WebSocket: token required, snapshot, commands, live events,
 * and RemoteOrchestrator keeping its copy in step through the engine's own reducer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type StartedControl } from '../../runner/control/control-server.ts';
import { RemoteOrchestrator } from '../../runner/control/control-client.ts';
import { demoSnapshot, storeBackedApi } from './store-backed-api.ts';
import type { RunInfo } from '../../runner/control/run-file.ts';
import { eventually } from '../support/cli-process.ts';

let control: StartedControl | undefined;
afterEach(async () => {
  await control?.stop();
  control = undefined;
});

describe('control API', () => {
  it('refuses requests without the token', async () => {
    control = await startControlServer(storeBackedApi(), { host: '127.0.0.1', port: 0 });
    const res = await fetch(`${control.url}/api/snapshot`);
    expect(res.status).toBe(401);
    const wrong = await fetch(`${control.url}/api/snapshot`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('rejects a malformed or unknown command with 400 and a message', async () => {
    control = await startControlServer(storeBackedApi(), { host: '127.0.0.1', port: 0 });
    const headers = { authorization: `Bearer ${control.token}` };
    const bad = await fetch(`${control.url}/api/command`, { method: 'POST', headers, body: '{nope' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('body must be a JSON command');
    const unknown = await fetch(`${control.url}/api/command`, { method: 'POST', headers, body: '{"type":"explode"}' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toBe('unknown command "explode"');
  });

  it('serves kept traces: filtered lists, one by id or prefix, 404 naming the id; RemoteOrchestrator reads them', async () => {
    const api = storeBackedApi();
    const span = (traceId: string, spanId: string, over: object = {}) =>
      api.traceStore.add({ traceId, spanId, name: 'GET /x', kind: 'server', service: 'micro-api', startMs: Date.now(), durationMs: 3, attributes: {}, events: [], ...over });
    span('a'.repeat(32), '1'.repeat(16));
    span('b'.repeat(32), '2'.repeat(16), { error: 'boom', attributes: { 'micro.instance': 'greeter-srv-2' } });
    control = await startControlServer(api, { host: '127.0.0.1', port: 0 });
    const get = async (path: string) => {
      const res = await fetch(`${control!.url}${path}`, { headers: { authorization: `Bearer ${control!.token}` } });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect((await get('/api/traces')).body).toHaveLength(2);
    expect(((await get('/api/traces?failed=1')).body as { traceId: string }[]).map((t) => t.traceId)).toEqual(['b'.repeat(32)]);
    expect((await get('/api/traces?service=greeter-srv-2&limit=x')).body).toHaveLength(1);
    expect((await get('/api/traces?limit=1')).body).toHaveLength(1);
    const one = await get('/api/traces/bbbb');
    expect(one.status).toBe(200);
    expect((one.body as { spans: { error?: string }[] }).spans[0]?.error).toBe('boom');
    expect(await get('/api/traces/cccc')).toEqual({ status: 404, body: { error: 'no trace cccc is kept (unknown, evicted, or a prefix that names more than one)' } });
    const info: RunInfo = { pid: process.pid, controlUrl: control.url, token: control.token, configFile: '/x', topology: 'demo', startedAt: 1, urls: demoSnapshot.urls };
    const remote = await RemoteOrchestrator.connect(info);
    try {
      expect((await remote.traces({ failed: true })).map((t) => t.traceId)).toEqual(['b'.repeat(32)]);
      expect((await remote.trace('aaaa'))?.summary.traceId).toBe('a'.repeat(32));
      expect(await remote.trace('cccc')).toBeUndefined();
    } finally {
      remote.close();
    }
  });

  it("answers /api/resources with the process's memory, the V8 heap of its own thread and one per instance thread", async () => {
    const { Worker } = await import('node:worker_threads');
    const { trackThread } = await import('../../runner/runtimes/worker/live-threads.ts');
    const worker = new Worker('setInterval(() => {}, 1000)', { eval: true });
    trackThread(worker, 'greeter-srv-1');
    await new Promise((resolve) => worker.once('online', resolve));
    try {
      control = await startControlServer(storeBackedApi(), { host: '127.0.0.1', port: 0 });
      const res = await fetch(`${control.url}/api/resources`, { headers: { authorization: `Bearer ${control.token}` } });
      const body = (await res.json()) as { pid: number; memory: { rss: number }; heap: { heapUsed: number; physical: number }; threads: { name: string; heapUsed: number }[] };
      expect(body.pid).toBe(process.pid);
      expect(body.memory.rss).toBeGreaterThan(body.heap.physical);
      expect(body.heap.heapUsed).toBeGreaterThan(0);
      expect(body.threads.filter((t) => t.name === 'greeter-srv-1')).toEqual([expect.objectContaining({ name: 'greeter-srv-1', heapUsed: expect.any(Number) })]);
    } finally {
      await worker.terminate();
    }
  });

  it('lets a RemoteOrchestrator see the snapshot, send commands and follow events', async () => {
    const api = storeBackedApi();
    control = await startControlServer(api, { host: '127.0.0.1', port: 0 });
    const info: RunInfo = { pid: process.pid, controlUrl: control.url, token: control.token, configFile: '/x', topology: 'demo', startedAt: 1, urls: demoSnapshot.urls };
    const remote = await RemoteOrchestrator.connect(info);
    try {
      expect(remote.snapshot().topology).toBe('demo');
      const result = await remote.command({ type: 'kill', instance: 'greeter-srv-1' });
      expect(result).toEqual({ ok: true, message: 'kill done' });
      expect(api.received).toEqual([{ type: 'kill', instance: 'greeter-srv-1' }]);
      await eventually(async () => remote.snapshot().instances.find((i) => i.instance === 'greeter-srv-1')?.state === 'crashed', 3000, 'the crash to reach the remote copy');
    } finally {
      remote.close();
    }
  });
});
