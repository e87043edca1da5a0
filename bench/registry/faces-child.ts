/**
 * Child processes for bench/registry/faces.ts, so CPU is measured apart from the load generator.
 *   faces-child.ts registry '<config json>'  the embedded registry with both faces; sends {address, eureka, nacos}
 *   faces-child.ts baseline                  bare node:http, none of our code: POST /r/<k> stores, GET /r/<k>
 *                                            answers 200 once stored (404 before), PUT answers 200, GET /blob/<n>
 *                                            answers n bytes of JSON (gzipped per request when asked)
 * Both answer {cmd:'cpu'} with process.cpuUsage() and exit when the parent disconnects.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { startRegistry } from '../../runner/registry/start-registry.ts';

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') process.send!({ cpu: process.cpuUsage(), at: performance.now() });
});

if (process.argv[2] === 'registry') {
  const config = JSON.parse(process.argv[3] ?? '{}');
  const registry = await startRegistry({
    host: '127.0.0.1',
    port: 0,
    eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: true, port: 0 },
    nacos: { protectThreshold: 0, serve: true, port: 0 },
    ...config,
  });
  process.send!({ address: registry.address, eureka: registry.eurekaUrl, nacos: registry.nacosUrl });
  process.on('disconnect', () => void registry.stop().then(() => process.exit(0)));
} else {
  const stored = new Set<string>();
  const blobs = new Map<number, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '/';
      let status = 200;
      let body: Buffer = Buffer.alloc(0);
      if (url.startsWith('/r/')) {
        if (req.method === 'POST') stored.add(url);
        else if (!stored.has(url)) status = 404;
      } else if (url.startsWith('/blob/')) {
        const n = Number(url.slice(6));
        let blob = blobs.get(n);
        if (!blob) blobs.set(n, (blob = JSON.stringify({ data: 'x'.repeat(Math.max(0, n - 11)) })));
        body = Buffer.from(blob);
        if (String(req.headers['accept-encoding'] ?? '').includes('gzip')) {
          body = gzipSync(body);
          res.setHeader('Content-Encoding', 'gzip');
        }
      }
      res.writeHead(status, { 'Content-Length': String(body.length), 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send!({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` }));
  process.on('disconnect', () => {
    server.close();
    process.exit(0);
  });
}
