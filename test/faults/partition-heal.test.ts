import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultEvent } from '../../runner/faults/fault-plane.ts';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { FaultSpecSchema, isNetworkFault } from '../../runner/faults/fault-spec.ts';
import { faultToxics } from '../../runner/faults/fault-toxics.ts';
import { seededRandom } from '../../runner/faults/seeded-random.ts';
import { selectTargets } from '../../runner/faults/select-targets.ts';

/** One GET with a client-side deadline; resolves 'ok' or 'timeout' (never rejects on a timeout). */
function call(port: number, timeoutMs: number): Promise<'ok' | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve('ok'));
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve('timeout');
    });
    req.on('error', () => resolve('error'));
  });
}

describe('a partition from a fault spec, through links, healing itself', () => {
  let backend: http.Server;
  let plane: FaultPlane;

  beforeEach(async () => {
    backend = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    plane = new FaultPlane({ random: seededRandom(3) });
  });

  afterEach(async () => {
    await plane.close();
    backend.closeAllConnections();
    await new Promise<void>((r) => backend.close(() => r()));
  });

  it('cuts the selected instance only, for `duration`, then traffic flows again', async () => {
    const upstream = `127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const instances = [
      { instance: 'greeter-srv-1', service: 'greeter-srv', tier: 'srv' as const },
      { instance: 'greeter-srv-2', service: 'greeter-srv', tier: 'srv' as const },
    ];
    const links = new Map<string, number>();
    for (const i of instances) links.set(i.instance, (await plane.createLink({ name: `${i.instance}/egress`, upstream })).port);

    const spec = FaultSpecSchema.parse({ kind: 'partition', target: { service: 'greeter-srv', count: 1 }, duration: '400ms' });
    if (!isNetworkFault(spec)) throw new Error('partition is a network fault');
    const [victim] = selectTargets(instances, spec.target, seededRandom(3));
    const bystander = instances.find((i) => i !== victim)!;
    const events: FaultEvent[] = [];
    plane.subscribe((e) => events.push(e));
    for (const toxic of faultToxics(spec, 'f1')) plane.addToxic(`${victim!.instance}/egress`, toxic);

    expect(await call(links.get(victim!.instance)!, 150)).toBe('timeout');
    expect(await call(links.get(bystander.instance)!, 2_000)).toBe('ok');

    const deadline = performance.now() + 5_000;
    while (events.filter((e) => e.type === 'toxic-expired').length < 2) {
      if (performance.now() > deadline) throw new Error('partition did not expire within 5000 ms');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await call(links.get(victim!.instance)!, 2_000)).toBe('ok');
    expect(plane.link(`${victim!.instance}/egress`)!.toxics()).toEqual([]);
  });
});
