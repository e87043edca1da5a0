/**
 * WebSocket (any `Connection: upgrade`) pass-through, as micro's web handler does: dial the node over TCP,
 * write the original request head (with X-Forwarded-For and extra headers), then pipe bytes both ways.
 * A dial failure answers `500` with the error text. Both sockets are destroyed when either side closes.
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { forwardedFor } from './reverse-proxy.ts';

export function proxyUpgrade(
  req: IncomingMessage,
  client: Duplex,
  head: Buffer,
  address: string,
  url: string,
  extra: Record<string, string> = {},
): Promise<'ok' | 'refused'> {
  return new Promise((resolve) => {
    const colon = address.lastIndexOf(':');
    const upstream = net.connect({ host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      const lines = [`${req.method ?? 'GET'} ${url} HTTP/1.1`];
      const skip = new Set(['x-forwarded-for', ...Object.keys(extra).map((k) => k.toLowerCase())]);
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
        const k = req.rawHeaders[i] ?? '';
        if (!skip.has(k.toLowerCase())) lines.push(`${k}: ${req.rawHeaders[i + 1] ?? ''}`);
      }
      lines.push(`X-Forwarded-For: ${forwardedFor(req)}`);
      for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
      resolve('ok');
    });
    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) {
        const msg = e.message;
        client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(msg)}\r\nConnection: close\r\n\r\n${msg}`);
        resolve(e.code === 'ECONNREFUSED' ? 'refused' : 'ok');
      }
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
}
