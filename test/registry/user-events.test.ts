import Consul from 'consul';
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { http } from './registry-harness.ts';

interface Ev {
  ID: string;
  Name: string;
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  LTime: number;
}

// User events (agent/event_endpoint.go, agent/user_event.go) through node-consul, texts over raw HTTP.
describe('user events', () => {
  const started: StartedRegistry[] = [];
  afterEach(async () => {
    for (const r of started.splice(0)) await r.stop();
  });
  async function start() {
    const reg = await startRegistry({ host: '127.0.0.1', port: 0, node: 'micro-box' });
    started.push(reg);
    return { url: reg.url, consul: new Consul({ host: '127.0.0.1', port: Number(reg.address.split(':')[1]) }) };
  }

  it('fires and lists events with payloads, Lamport times from 1 and a name filter', async () => {
    const { consul, url } = await start();
    const empty = await http(`${url}/v1/event/list`);
    expect([empty.text, empty.headers.get('x-consul-index')]).toEqual(['[]', '1']);
    const fired = (await consul.event.fire('deploy', 'v1')) as Ev;
    expect(fired).toEqual({ ID: expect.stringMatching(/^[0-9a-f-]{36}$/), Name: 'deploy', Payload: 'v1', NodeFilter: '', ServiceFilter: '', TagFilter: '', Version: 1, LTime: 0 });
    await consul.event.fire('restart');
    const raw = (await http(`${url}/v1/event/list`)).json() as Ev[];
    expect(raw.map((e) => [e.Name, e.Payload, e.LTime])).toEqual([
      ['deploy', Buffer.from('v1').toString('base64'), 1],
      ['restart', null, 2],
    ]);
    expect(Object.keys(raw[0])).toEqual(['ID', 'Name', 'Payload', 'NodeFilter', 'ServiceFilter', 'TagFilter', 'Version', 'LTime']);
    const deploys = (await consul.event.list('deploy')) as Ev[];
    expect(deploys.map((e) => [e.ID, e.Payload])).toEqual([[fired.ID, 'v1']]);
    // The index is uuidToUint64 of the last event's ID: the XOR of its halves.
    const id = raw[1].ID.replaceAll('-', '');
    const expected = BigInt(`0x${id.slice(0, 16)}`) ^ BigInt(`0x${id.slice(16)}`);
    expect((await http(`${url}/v1/event/list`)).headers.get('x-consul-index')).toBe(expected.toString());
  });

  it('keeps only events whose node/service/tag filters match this agent', async () => {
    const { consul, url } = await start();
    await consul.agent.service.register({ name: 'web', id: 'web-1', tags: ['blue'] });
    await consul.event.fire({ name: 'a', payload: '', node: 'micro-.*' });
    await consul.event.fire({ name: 'b', payload: '', node: '^elsewhere$' });
    await consul.event.fire({ name: 'c', payload: '', service: '^web$', tag: 'bl' });
    await consul.event.fire({ name: 'd', payload: '', service: '^web$', tag: '^green$' });
    await consul.event.fire({ name: 'e', payload: '', service: 'api' });
    expect(((await consul.event.list()) as Ev[]).map((e) => `${e.Name}:${e.LTime}`)).toEqual(['a:1', 'c:3']);
    const cases: [string, number, string | RegExp][] = [
      ['/v1/event/fire/', 400, 'Missing name'],
      ['/v1/event/fire/x?tag=a', 500, 'Cannot provide tag filter without service filter'],
      ['/v1/event/fire/x?node=(', 500, /^Invalid node filter: error parsing regexp: /],
      ['/v1/event/fire/x?service=[', 500, /^Invalid service filter: error parsing regexp: /],
    ];
    for (const [path, status, text] of cases) {
      const res = await http(`${url}${path}`, 'PUT');
      expect(res.status).toBe(status);
      expect(res.text).toMatch(typeof text === 'string' ? new RegExp(`^${text.replace(/[.*?()[\]]/g, '\\$&')}$`) : text);
    }
    const wrong = await http(`${url}/v1/event/list`, 'PUT');
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'OPTIONS,GET']);
  });

  it('keeps the last 256 events', async () => {
    const { consul } = await start();
    for (let i = 1; i <= 300; i++) await consul.event.fire(`e${i}`);
    const list = (await consul.event.list()) as Ev[];
    expect(list).toHaveLength(256);
    expect([list[0].Name, list[0].LTime, list[255].Name]).toEqual(['e45', 45, 'e300']);
  });

  it('blocks a list while its index is unchanged and wakes on a fire; node-consul watches it', async () => {
    const { consul, url } = await start();
    await consul.event.fire('first');
    const current = (await http(`${url}/v1/event/list`)).headers.get('x-consul-index')!;
    // A different index answers at once (the index is not monotonic: any change counts).
    const stale = await http(`${url}/v1/event/list?index=12345&wait=30s`);
    expect((stale.json() as Ev[]).map((e) => e.Name)).toEqual(['first']);
    const bad = await http(`${url}/v1/event/list?index=x`);
    expect([bad.status, bad.text]).toEqual([400, 'Invalid index']);

    const watch = consul.watch({ method: consul.event.list, options: { wait: '20s' } as never });
    const changes: string[][] = [];
    const seen = new Promise<void>((resolve, reject) => {
      watch.on('change', (data: Ev[]) => {
        changes.push(data.map((e) => e.Name));
        if (data.some((e) => e.Name === 'second')) resolve();
      });
      watch.on('error', reject);
    });
    const parked = http(`${url}/v1/event/list?index=${current}&wait=30s`);
    // Fire once the watch has its first answer, so the second one is a blocked query woken by the fire.
    await new Promise<void>((resolve) => watch.once('change', () => resolve()));
    await consul.event.fire('second');
    const woke = await parked;
    expect(woke.headers.get('x-consul-index')).not.toBe(current);
    expect((woke.json() as Ev[]).map((e) => e.Name)).toEqual(['first', 'second']);
    await seen;
    watch.end();
    expect(changes.at(-1)).toEqual(['first', 'second']);
  });
});
