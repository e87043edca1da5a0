/**
 * Test services that are not greeter: a plain HTTP echo server (with a WebSocket echo) registered in the
 * registry by hand, as a go-web service would be. Real servers on 127.0.0.1:0; close() deregisters.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { ConsulRegistryClient } from '../../services/kit/registry-client.ts';

export interface EchoService {
  address: string;
  id: string;
  requests: number;
  close(): Promise<void>;
}

/** Answers every request with JSON {method,url,headers,body,id}; WebSocket messages are echoed back. */
export async function startEchoService(registryAddress: string, name: string): Promise<EchoService> {
  const id = `${name}-${randomUUID()}`;
  const state = { requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), id }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.on('message', (m) => ws.send(`echo:${String(m)}|${req.url}|${req.headers['x-micro-web-base-path'] ?? ''}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const address = `127.0.0.1:${port}`;
  const registry = new ConsulRegistryClient(registryAddress);
  await registry.register({ id, address, metadata: {}, service: name, version: 'latest', endpoints: [] }, 60_000);
  await registry.passTtl(`service:${id}`);
  return {
    address,
    id,
    get requests() {
      return state.requests;
    },
    async close() {
      await registry.deregister(id).catch(() => undefined);
      await registry.close();
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
