/**
 * Child process for the fault benches, so client, link and server do not share one event loop:
 *   fixture.ts http           -> HTTP/1.1 server answering "ok" on 127.0.0.1:0
 *   fixture.ts echo           -> TCP echo server on 127.0.0.1:0
 *   fixture.ts link HOST:PORT -> a FaultPlane link (no toxics: the fast path) to HOST:PORT
 *   fixture.ts chain HOST:PORT -> the same with latency{0} on both streams (every byte walks the toxic chain)
 *   fixture.ts inbound HOST:PORT -> a link with no toxics observed by the engine's TrafficMeter, as every
 *                                  `<instance>/inbound` link of micro-dev is (each HTTP exchange counted)
 *   fixture.ts admin HOST:PORT -> a link named `live` and the Toxiproxy-compatible admin API over its plane
 * Prints `PORT <n>` (for admin: `PORT <link> ADMIN <admin>`) once listening; exits when stdin closes (the
 * parent died or is done).
 */
import http from 'node:http';
import net from 'node:net';
import { SystemClock } from '../../runner/clock/clock.ts';
import { TrafficMeter } from '../../runner/engine/traffic-meter.ts';
import { startFaultAdmin } from '../../runner/faults/admin-server.ts';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';

const [kind, upstream] = process.argv.slice(2);
let port: number;
let admin = '';
if (kind === 'http') {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
} else if (kind === 'echo') {
  const server = net.createServer({ noDelay: true }, (s) => {
    s.on('data', (c) => s.write(c));
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
} else if ((kind === 'link' || kind === 'chain' || kind === 'inbound') && upstream) {
  const plane = new FaultPlane();
  const link = await plane.createLink({ name: 'bench', upstream });
  port = link.port;
  if (kind === 'inbound') link.observe(new TrafficMeter(new SystemClock()).observer('bench-1', 'bench'));
  if (kind === 'chain') {
    plane.addToxic('bench', { name: 'up', type: 'latency', stream: 'upstream', attributes: { latency: 0 } });
    plane.addToxic('bench', { name: 'down', type: 'latency', stream: 'downstream', attributes: { latency: 0 } });
  }
} else if (kind === 'admin' && upstream) {
  const plane = new FaultPlane();
  port = (await plane.createLink({ name: 'live', upstream })).port;
  admin = ` ADMIN ${(await startFaultAdmin(plane, { host: '127.0.0.1', port: 0 })).port}`;
} else {
  throw new Error(`usage: fixture.ts http | echo | link HOST:PORT | chain HOST:PORT | inbound HOST:PORT | admin HOST:PORT (got ${process.argv.slice(2).join(' ')})`);
}
process.stdout.write(`PORT ${port}${admin}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
