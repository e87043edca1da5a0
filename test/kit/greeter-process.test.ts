import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';
import { NodeCache } from '../../services/kit/node-cache.ts';
import { Selector } from '../../services/kit/selector.ts';
import { Client } from '../../services/kit/client.ts';
import { MicroError } from '../../services/kit/errors.ts';
import type { ServiceInfo } from '../../services/kit/types.ts';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NODE, ROOT, runProcess, waitFor, within, type RunningService } from './service-harness.ts';

const SRV = 'go.micro.srv.greeter';
let registry: StartedRegistry;
let consul: ConsulRegistryClient;
const running: RunningService[] = [];

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  consul = new ConsulRegistryClient(registry.address);
});

afterAll(async () => {
  for (const s of running) s.kill();
  await consul?.close();
  await registry?.stop();
});

async function startSrv(ttl = '30s'): Promise<{ svc: RunningService; id: string }> {
  const svc = runProcess('services/greeter-srv/main.ts', {
    MICRO_REGISTRY_ADDRESS: registry.address,
    MICRO_REGISTER_TTL: ttl,
    MICRO_REGISTER_INTERVAL: '1s',
  });
  running.push(svc);
  const line = await svc.waitForLine(/^registered /);
  return { svc, id: line.split(' ')[2]! };
}

describe('greeter-srv as child processes', () => {
  it('node cache follows a replica going away through a blocking query', async () => {
    const a = await startSrv();
    const b = await startSrv();
    // A long blocking wait: only the blocking query itself (not a re-poll) can deliver the change quickly.
    const cache = new NodeCache(consul, { waitMs: 60_000 });
    try {
      const ids = (s: ServiceInfo[]) => s.flatMap((x) => x.nodes.map((n) => n.id)).sort();
      expect(ids(await cache.get(SRV))).toEqual([a.id, b.id].sort());
      const changed = new Promise<ServiceInfo[]>((resolve) =>
        cache.onChange((name, services) => {
          if (name === SRV && ids(services).length === 1) resolve(services);
        }),
      );
      a.svc.stop();
      expect(await within('srv exit after SIGTERM', a.svc.exited)).toBe(0);
      expect(a.svc.lines).toContain(`deregistered ${SRV} ${a.id}`);
      expect(ids(await within('cache update', changed, 5_000))).toEqual([b.id]);
      expect(ids(cache.peek(SRV)!)).toEqual([b.id]);
    } finally {
      cache.close();
      const others = running.filter((r) => r.child?.exitCode === null);
      others.forEach((r) => r.stop());
      await Promise.all(others.map((r) => r.exited));
    }
  });

  it('ejects a node that refuses connections so later calls go to the live one', async () => {
    const live = await startSrv();
    const dead = await startSrv();
    dead.svc.kill(); // SIGKILL: no deregistration, the registry keeps it passing until its 30s TTL
    await within('SIGKILLed srv exit', dead.svc.exited);
    const selector = new Selector({ strategy: 'round_robin', ejectMs: 60_000 });
    const client = new Client({ registryAddress: registry.address, selector, retries: 0 });
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 6; i++) {
        outcomes.push(
          await client.call<{ msg: string }>(SRV, 'Say.Hello', { name: 'John' }).then(
            (r) => r.msg,
            (e: MicroError) => e.detail,
          ),
        );
      }
      const failures = outcomes.filter((o) => o !== 'Hello John');
      expect(failures.length).toBeLessThanOrEqual(1);
      if (failures.length === 1) expect(failures[0]).toMatch(/^connection error: dial tcp 127\.0\.0\.1:\d+: connect: connection refused$/);
      expect(outcomes.slice(-4)).toEqual(Array(4).fill('Hello John'));
      expect(selector.isEjected({ id: dead.id, address: '', metadata: {} })).toBe(true);
      expect(selector.isEjected({ id: live.id, address: '', metadata: {} })).toBe(false);

      // With go-micro's default single retry the refused node never surfaces to the caller at all.
      const retrying = new Client({ registryAddress: registry.address, selector: new Selector({ strategy: 'round_robin' }) });
      const all = await Promise.all([1, 2, 3, 4].map(() => retrying.call(SRV, 'Say.Hello', { name: 'J' })));
      expect(all).toEqual(Array(4).fill({ msg: 'Hello J' }));
      await retrying.close();
    } finally {
      await client.close();
      await consul.deregister(dead.id);
      live.svc.stop();
      await live.svc.exited;
    }
  });

  it('exits and deregisters when its stdin pipe closes (parent gone)', async () => {
    const s = await startSrv();
    s.svc.child!.stdin!.end();
    expect(await within('srv exit after stdin EOF', s.svc.exited)).toBe(0);
    expect(s.svc.lines).toContain(`deregistered ${SRV} ${s.id}`);
    expect((await consul.getService(SRV)).services).toEqual([]);
  });

  it('exits and deregisters when its IPC channel closes', async () => {
    const child = spawn(NODE, [`${ROOT}services/greeter-srv/main.ts`], {
      env: { ...process.env, MICRO_REGISTRY_ADDRESS: registry.address },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const line = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).on('line', (l) => l.startsWith('registered ') && resolve(l)),
    );
    child.disconnect();
    expect(await within('srv exit after IPC disconnect', exited)).toBe(0);
    const id = line.split(' ')[2]!;
    expect((await consul.getService(SRV)).services.flatMap((s) => s.nodes).map((n) => n.id)).not.toContain(id);
  });

  it('keeps heartbeating through a registry outage and re-registers when it returns', async () => {
    const port = Number(registry.address.split(':')[1]);
    const s = await startSrv('3s');
    await registry.stop();
    await s.svc.waitForLine(/^heartbeat go\.micro\.srv\.greeter .* failed: /);
    registry = await startRegistry({ host: '127.0.0.1', port });
    // The new registry knows nothing: the failed passTtl must lead to a full re-register (a second log line).
    await waitFor('re-registration', () => s.svc.lines.filter((l) => l.startsWith(`registered ${SRV} ${s.id} `)).length >= 2);
    await waitForRegistered(s.id);
    s.svc.stop();
    expect(await within('srv exit', s.svc.exited)).toBe(0);
  });
});

async function waitForRegistered(id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const fresh = new ConsulRegistryClient(registry.address);
    try {
      const { services } = await fresh.getService(SRV);
      if (services.some((x) => x.nodes.some((n) => n.id === id))) return;
    } finally {
      await fresh.close();
    }
    if (Date.now() > deadline) throw new Error(`${id} not re-registered within 10000ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
