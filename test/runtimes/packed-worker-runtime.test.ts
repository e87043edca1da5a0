/**
 * Packed worker instances (issue 13 point 4): many instances share a thread, yet each keeps its own env,
 * output, server, port, registration and heartbeats, stops on its own stop, and dies alone when killed or
 * when it throws. Real threads, the real kit greeter, the embedded registry.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../services/kit/client.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import type { StartedInstance } from '../../runner/runtimes/runtime.ts';
import { WorkerRuntime } from '../../runner/runtimes/worker/worker-runtime.ts';
import { fixtureService } from './fixtures/fixture-service.ts';
import { LogRecorder } from './fixtures/log-recorder.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const greeterSrv = fileURLToPath(new URL('../../services/greeter-srv/main.ts', import.meta.url));
const runtime = new WorkerRuntime({ packFrom: 1, perHost: 50 });
const started: StartedInstance[] = [];
let registry: StartedRegistry;

async function start(name: string, module: string, env: Record<string, string> = {}) {
  const instance = await runtime.start({ instance: name, service: fixtureService({ runtime: 'worker', module, replicas: 3 }), env }, { signal: new AbortController().signal });
  started.push(instance);
  return { instance, logs: new LogRecorder(instance) };
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((i) => i.stop(200)));
});

afterAll(async () => {
  await runtime.close();
  await registry.stop();
});

describe('packed worker instances', () => {
  it('share a thread, each with exactly its own env and its own output', async () => {
    const a = await start('a-1', fixture('worker-service.ts'), { MICRO_SERVER_ID: 'aaa', ONLY_A: '1' });
    const b = await start('b-1', fixture('worker-service.ts'), { MICRO_SERVER_ID: 'bbb' });
    expect(a.instance.ref).toMatch(/^tid:\d+\/a-1$/);
    expect(a.instance.ref.split('/')[0]).toBe(b.instance.ref.split('/')[0]);
    expect((await a.logs.waitFor(/^started/)).line).toBe('started with MICRO_SERVER_ID=aaa keys=MICRO_SERVER_ID,ONLY_A');
    expect((await b.logs.waitFor(/^started/)).line).toBe('started with MICRO_SERVER_ID=bbb keys=MICRO_SERVER_ID');
    expect((await a.logs.waitFor(/stderr/)).stream).toBe('stderr');
    expect(a.logs.text().join('\n')).not.toContain('bbb');
  });

  it('a stop reaches only its instance; the neighbour keeps running', async () => {
    const a = await start('a-1', fixture('worker-service.ts'));
    const b = await start('b-1', fixture('worker-service.ts'));
    await Promise.all([a.logs.waitFor(/^started/), b.logs.waitFor(/^started/)]);
    expect(await a.instance.stop(5_000)).toMatchObject({ code: 0, signal: null, requested: true });
    expect(a.logs.text()).toContain('stopping gracefully');
    expect(b.logs.text()).not.toContain('stopping gracefully');
    expect(await Promise.race([b.instance.exited.then(() => 'exited'), new Promise((r) => setImmediate(r, 'running'))])).toBe('running');
  });

  it('a restarted instance runs its module again in the same thread', async () => {
    const keep = await start('k-1', fixture('worker-service.ts'));
    await keep.logs.waitFor(/^started/);
    const first = await start('a-1', fixture('worker-service.ts'), { MICRO_SERVER_ID: 'one' });
    await first.logs.waitFor(/^started/);
    await first.instance.stop(5_000);
    const second = await start('a-1', fixture('worker-service.ts'), { MICRO_SERVER_ID: 'two' });
    expect(second.instance.ref).toBe(first.instance.ref);
    expect((await second.logs.waitFor(/^started/)).line).toContain('MICRO_SERVER_ID=two');
  });

  it('one that ignores stop is killed after the grace; kill() is SIGKILL and not requested', async () => {
    const a = await start('a-1', fixture('worker-ignore-stop.ts'));
    await a.logs.waitFor(/running forever/);
    expect(await a.instance.stop(100)).toMatchObject({ code: null, signal: 'SIGKILL', requested: true });
    const b = await start('b-1', fixture('worker-ignore-stop.ts'));
    await b.logs.waitFor(/running forever/);
    b.instance.kill();
    expect(await b.instance.exited).toMatchObject({ code: null, signal: 'SIGKILL', requested: false });
  });

  it('an uncaught error ends only the instance that threw, with code 1 and the message on stderr', async () => {
    const survivor = await start('s-1', fixture('worker-service.ts'));
    await survivor.logs.waitFor(/^started/);
    const { instance, logs } = await start('c-1', fixture('worker-crash.ts'));
    expect(await instance.exited).toMatchObject({ code: 1, signal: null, requested: false });
    expect(logs.lines.find((l) => l.stream === 'stderr')?.line).toBe('test/runtimes/fixtures/worker-crash.ts:4:9: Error: kaboom: database unreachable');
    expect(await Promise.race([survivor.instance.exited.then(() => 'exited'), new Promise((r) => setImmediate(r, 'running'))])).toBe('running');
  });

  it('greeter-srv instances in one thread register and serve on their own ports; a killed one dies alone', async () => {
    const env = (i: number) => ({
      MICRO_REGISTRY: 'consul',
      MICRO_REGISTRY_ADDRESS: registry.address,
      MICRO_SERVER_ADDRESS: '127.0.0.1:0',
      MICRO_SERVER_ID: `packed-${i}`,
      MICRO_REGISTER_TTL: '1s',
      MICRO_REGISTER_INTERVAL: '300ms',
    });
    const instances = await Promise.all([1, 2, 3].map((i) => start(`greeter-srv-${i}`, greeterSrv, env(i))));
    expect(new Set(instances.map((i) => i.instance.ref.split('/')[0])).size).toBe(1);
    const client = new Client({ registryAddress: registry.address, retries: 0 });
    try {
      const nodes = async () => {
        const res = await fetch(`http://${registry.address}/v1/health/service/go.micro.srv.greeter?passing=1`);
        return ((await res.json()) as { Service: { ID: string; Address: string; Port: number } }[]).map((e) => e.Service);
      };
      const three = await until('three passing nodes', async () => ((await nodes()).length === 3 ? nodes() : undefined));
      expect(new Set(three.map((n) => n.Port)).size).toBe(3);
      for (const n of three) {
        expect(await client.call('go.micro.srv.greeter', 'Say.Hello', { name: n.ID }, { address: `${n.Address}:${n.Port}` })).toEqual({ msg: `Hello ${n.ID}` });
      }
      const victim = three.find((n) => n.ID.endsWith('packed-2'))!;
      instances[1]!.instance.kill();
      expect(await instances[1]!.instance.exited).toMatchObject({ signal: 'SIGKILL', requested: false });
      // Its server is gone at once; its heartbeats stop, so its TTL check fails; the neighbours go on.
      await expect(client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'x' }, { address: `${victim.Address}:${victim.Port}` })).rejects.toThrow(/connection/);
      const left = await until('the killed node to stop passing', async () => {
        const now = await nodes();
        return now.length === 2 && !now.some((n) => n.ID === victim.ID) ? now : undefined;
      });
      for (const n of left) {
        expect(await client.call('go.micro.srv.greeter', 'Say.Hello', { name: 'still' }, { address: `${n.Address}:${n.Port}` })).toEqual({ msg: 'Hello still' });
      }
      // And they keep heartbeating past several TTLs.
      const later = Date.now() + 2_500;
      await until('2.5 s to pass', async () => Date.now() > later, 5_000);
      expect((await nodes()).map((n) => n.ID).sort()).toEqual(left.map((n) => n.ID).sort());
    } finally {
      await client.close();
    }
  });
});
