/**
 * Baselines for kv-write-throughput.ts with none of our code: a bare node:http server that answers `true`
 * to every PUT, either at once (`memory`) or after appending the body to a file and fdatasync (`fsync`,
 * one sync per request, no batching). Prints nothing; sends {address} over IPC; exits on disconnect.
 * Usage: node bench/registry/kv-baseline-child.ts memory|fsync [FILE]
 */
import { createServer } from 'node:http';
import { open } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

const mode = process.argv[2];
const file = mode === 'fsync' ? await open(process.argv[3], 'a') : undefined;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    if (file) {
      await file.write(Buffer.concat([Buffer.from(req.url ?? ''), Buffer.from(' '), ...chunks, Buffer.from('\n')]));
      await file.datasync();
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4' });
    res.end('true');
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ address: `127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') process.send!({ cpu: process.cpuUsage(), at: performance.now() });
});
process.on('disconnect', () => {
  server.close();
  void file?.close();
  process.exit(0);
});
