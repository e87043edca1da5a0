/**
 * Answers sent while the client is still uploading reach it (issue 13 point 6): a real node:http client
 * streaming 20 MiB to /rpc reads the 413 instead of EPIPE/ECONNRESET, with and without Content-Length, on
 * the gateway and on the proxy; a raw client sending a bad request line and then 20 MiB reads the 400. The
 * server half-closes and drains, and the connection is gone within the bounded linger.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import { startProxy } from '../../runner/proxy/start-proxy.ts';
import type { StartedServer } from '../../runner/gateway/started-server.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { gatewayConfig, waitFor } from './harness.ts';

const UPLOAD = 20 * 1024 * 1024;
let registry: StartedRegistry;
let gateway: StartedServer;
let proxy: StartedServer;

beforeAll(async () => {
  registry = await startRegistry({ host: '127.0.0.1', port: 0 });
  gateway = await startGateway(gatewayConfig({ enableRpc: true }), { registryAddress: registry.address });
  proxy = await startProxy({ host: '127.0.0.1', port: 0 }, { registryAddress: registry.address });
});

afterAll(async () => {
  await Promise.allSettled([gateway?.stop(), proxy?.stop()]);
  await registry?.stop();
});

/** Streams UPLOAD bytes to url as fast as the socket takes them; resolves with what the client saw. */
function upload(url: string, withLength: boolean): Promise<{ status?: number; body?: string; error?: string; socketClosed: Promise<void> }> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
    if (withLength) headers['Content-Length'] = UPLOAD;
    const req = http.request(url, { method: 'POST', headers, agent: false });
    let socketClosed: Promise<void> = Promise.resolve();
    req.on('socket', (s) => (socketClosed = new Promise((r) => s.once('close', () => r()))));
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body, socketClosed }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ status: res.statusCode, error: e.code ?? e.message, socketClosed }));
    });
    // An error after the answer (our writes meeting the closed connection) does not count: resolve() is once.
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message, socketClosed }));
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    const pump = (): void => {
      while (sent < UPLOAD) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

describe('an answer sent before the upload ended', () => {
  for (const withLength of [true, false]) {
    const how = withLength ? 'with Content-Length' : 'chunked';
    it(`gateway /rpc: a node client uploading 20 MiB (${how}) reads the 413`, async () => {
      for (let i = 0; i < 3; i++) {
        const r = await upload(`${gateway.url}/rpc`, withLength);
        expect(r.error).toBeUndefined();
        expect(r.status).toBe(413);
        expect(JSON.parse(r.body!)).toEqual({ id: 'go.micro.api', code: 413, detail: 'request body too large: limit is 10485760 bytes', status: 'Request Entity Too Large' });
        // The connection does not stay open: half-close, bounded drain, close.
        await r.socketClosed;
      }
    });

    it(`proxy /rpc: a node client uploading 20 MiB (${how}) reads the 413`, async () => {
      const r = await upload(`${proxy.url}/rpc`, withLength);
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(413);
      expect(JSON.parse(r.body!)).toMatchObject({ id: 'go.micro.proxy', code: 413 });
      await r.socketClosed;
    });
  }

  it('a bad request line followed by 20 MiB still gets its 400, then the connection closes', async () => {
    const url = new URL(gateway.url);
    const socket = net.connect(Number(url.port), url.hostname);
    let got = '';
    let error: string | undefined;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (got += d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    let sent = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (sent < UPLOAD && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        resolve();
      };
      socket.once('close', () => resolve());
      pump();
    });
    await waitFor('the 400 to arrive', async () => got.includes('\r\n\r\n') || socket.destroyed, 10_000);
    expect(got).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(error).toBeUndefined();
    socket.end();
    await closed;
  });
});
