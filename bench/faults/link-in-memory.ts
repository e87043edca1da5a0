/**
 * CPU a link costs the process that hosts it (issue 13: micro-dev's main thread runs the gateway, the proxy
 * and every link). One process holds client, link and server, as micro-dev's main thread does for the
 * proxy; 16 concurrent keep-alive callers POST through the kit's HttpPool; CPU time (user + system) of the
 * process per request, paths alternating each run:
 *
 *   no link:   HttpPool --TCP--> http.Server                                      (baseline: node:http only)
 *   tcp link:  HttpPool --TCP--> link --TCP--> http.Server                        (any client of a link)
 *   in memory: HttpPool ==mem==> link --TCP--> http.Server                        (gateway/proxy -> instance)
 *   both:      HttpPool ==mem==> link ==mem==> http.Server                        (nothing on loopback)
 *
 * Result: median µs per request per path over runs, and each path's extra over the baseline.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { HttpPool } from '../../services/kit/http-pool.ts';
import { median, round3 } from './bench-kit.ts';

const CONCURRENCY = 16;
const BODY = '{"name":"John"}';

async function cpuPerRequest(pool: HttpPool, origin: string, requests: number): Promise<number> {
  const start = process.cpuUsage();
  let left = requests;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await pool.request({ origin, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY });
    }),
  );
  const used = process.cpuUsage(start);
  return (used.user + used.system) / requests;
}

export async function linkInMemory(options: { runs: number; requests: number }) {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"msg":"Hello John"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const serverPort = (server.address() as AddressInfo).port;
  // Two planes: on the second, the server is also served in memory to its links.
  const tcpPlane = new FaultPlane();
  const memPlane = new FaultPlane();
  memPlane.serveInProcess(serverPort, (socket: Duplex) => (server.emit('connection', socket), true));
  const tcpLink = await tcpPlane.createLink({ name: 'tcp', upstream: `127.0.0.1:${serverPort}` });
  const memLink = await memPlane.createLink({ name: 'mem', upstream: `127.0.0.1:${serverPort}` });
  const pool = (connect?: (h: string, p: number) => Duplex | undefined) =>
    new HttpPool({ keepAliveMs: 4_000, connectTimeoutMs: 2_000, ...(connect ? { connect } : {}) });
  const paths = {
    noLink: { pool: pool(), origin: `http://127.0.0.1:${serverPort}` },
    tcpLink: { pool: pool(), origin: `http://127.0.0.1:${tcpLink.port}` },
    inMemory: { pool: pool((h, p) => tcpPlane.openLocal(h, p)), origin: `http://127.0.0.1:${tcpLink.port}` },
    both: { pool: pool((h, p) => memPlane.openLocal(h, p)), origin: `http://127.0.0.1:${memLink.port}` },
  };
  const samples: Record<keyof typeof paths, number[]> = { noLink: [], tcpLink: [], inMemory: [], both: [] };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  for (const name of names) await cpuPerRequest(paths[name].pool, paths[name].origin, 2_000); // warm-up
  for (let run = 0; run < options.runs; run++) {
    // rotate the order so no path always runs first after a GC-heavy one
    for (let i = 0; i < names.length; i++) {
      const name = names[(run + i) % names.length]!;
      samples[name].push(await cpuPerRequest(paths[name].pool, paths[name].origin, options.requests));
    }
  }
  for (const p of Object.values(paths)) await p.pool.close();
  await Promise.all([tcpPlane.close(), memPlane.close()]);
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  const med = Object.fromEntries(names.map((n) => [n, round3(median(samples[n]))])) as Record<keyof typeof paths, number>;
  return {
    name: 'link CPU in the hosting process (µs CPU per request, client + link + server in one process)',
    concurrency: CONCURRENCY,
    requestsPerRun: options.requests,
    runs: options.runs,
    medianUs: med,
    extraOverNoLinkUs: { tcpLink: round3(med.tcpLink - med.noLink), inMemory: round3(med.inMemory - med.noLink), both: round3(med.both - med.noLink) },
    samplesUs: Object.fromEntries(names.map((n) => [n, samples[n].map(round3)])),
  };
}
