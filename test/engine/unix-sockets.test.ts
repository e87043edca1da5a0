/**
 * micro-dev's own hops on Unix sockets (Linux; services/kit/unix-socket.ts): a kit instance serves on the
 * socket micro-dev names and its inbound link dials it; its calls and heartbeats reach the proxy and
 * registry links on those links' sockets; a service without the kit stays on TCP; a restart gets a fresh socket. What every caller dials
 * and the registry holds is still host:port.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '../../runner/engine/orchestrator.ts';
import { loadTopology } from '../../runner/config/load-topology.ts';
import { createRuntimes } from '../../runner/cli/create-runtimes.ts';
import { unixSocketPath } from '../../services/kit/unix-socket.ts';
import { eventually, writeTestTopology } from '../support/cli-process.ts';

let orchestrator: Orchestrator;

// A service without the kit: plain node:http on MICRO_SERVER_ADDRESS, ready by its log line.
const PLAIN = `const [h, p] = process.env.MICRO_SERVER_ADDRESS.split(':'); require('node:http').createServer((q, r) => r.end('plain')).listen(Number(p), h, () => console.log('plain ready'));`;

beforeAll(async () => {
  const topo = await writeTestTopology(`  plain:
    runtime: process
    command: ["${process.execPath}", "-e", ${JSON.stringify(PLAIN)}]
    readiness: { log: { pattern: "plain ready", timeout: 10s } }
`);
  const topology = await loadTopology(topo.file);
  orchestrator = new Orchestrator(topology, { runtimes: await createRuntimes(topology) });
  await orchestrator.start();
});
afterAll(async () => {
  await orchestrator?.shutdown();
});

const link = (name: string) => orchestrator.faultPlane!.link(name)!;
/** Connected sockets in this process's network namespace accepted on `name` (/proc/net/unix, state 03). */
const connectedOn = async (name: string) =>
  (await readFile('/proc/net/unix', 'utf8')).split('\n').filter((l) => l.trim().split(/\s+/)[7] === name && l.trim().split(/\s+/)[5] === '03').length;
const hello = async () => (await fetch(`${orchestrator.snapshot().urls.gateway}/greeter/say/hello?name=Unix`)).text();

function callSocket(socket: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = '{"name":"Socket"}';
    const headers = { 'Content-Type': 'application/json', 'Micro-Service': 'go.micro.srv.greeter', 'Micro-Endpoint': 'Say.Hello', 'Content-Length': Buffer.byteLength(body) };
    const req = http.request({ socketPath: unixSocketPath(socket), agent: false, method: 'POST', path: '/', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.runIf(process.platform === 'linux')('hops on Unix sockets', () => {
  it('a kit instance serves on the socket its inbound link dials; the registry still holds host:port', async () => {
    const inbound = link('greeter-srv-1/inbound');
    expect(inbound.upstreamUnix).toMatch(/^@micro-dev-\d+-[0-9a-z]{4}-\d+$/);
    expect(inbound.upstream).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await callSocket(inbound.upstreamUnix!)).toBe('{"msg":"Hello Socket"}\n');
    const view = orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-1');
    expect(view?.address).toBe(inbound.listen);
  });

  it('a request through the gateway crosses them: into greeter-api, from it to the proxy, into greeter-srv', async () => {
    expect(await hello()).toBe('{"message":"Hello Unix"}');
    const proxy = link('greeter-api-1/proxy');
    expect(proxy.unix).toMatch(/^@micro-dev-/);
    // keep-alive connections stay open after the answer: each hop's is there to count
    expect(await connectedOn(link('greeter-api-1/inbound').upstreamUnix!)).toBeGreaterThan(0);
    expect(await connectedOn(proxy.unix!)).toBeGreaterThan(0);
    const srv = await Promise.all(['greeter-srv-1', 'greeter-srv-2'].map((i) => connectedOn(link(`${i}/inbound`).upstreamUnix!)));
    expect(srv[0]! + srv[1]!).toBeGreaterThan(0);
  });

  it('heartbeats and lookups reach the registry link on its socket', async () => {
    const registry = link('greeter-srv-1/registry');
    expect(registry.unix).toMatch(/^@micro-dev-/);
    // a heartbeat every 300 ms (time_scale 0.1) on a pooled connection kept 10 s
    await eventually(async () => (await connectedOn(registry.unix!)) > 0, 5_000, 'a connection on the registry link\'s socket');
  });

  it('a service without the kit is dialled on its port', async () => {
    const inbound = link('plain-1/inbound');
    expect(inbound.upstreamUnix).toBeUndefined();
    expect(await (await fetch(`http://${inbound.listen}/`)).text()).toBe('plain');
  });

  it('a restarted instance gets a fresh socket, and its link follows', async () => {
    const before = link('greeter-srv-2/inbound').upstreamUnix;
    expect((await orchestrator.command({ type: 'restart', instance: 'greeter-srv-2' })).ok).toBe(true);
    await eventually(async () => orchestrator.snapshot().instances.find((i) => i.instance === 'greeter-srv-2')?.state === 'ready', 15_000, 'greeter-srv-2 ready again');
    const after = link('greeter-srv-2/inbound').upstreamUnix;
    expect(after).toMatch(/^@micro-dev-/);
    expect(after).not.toBe(before);
    expect(await callSocket(after!)).toBe('{"msg":"Hello Socket"}\n');
    expect(await hello()).toBe('{"message":"Hello Unix"}');
  });
});
