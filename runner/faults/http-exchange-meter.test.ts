import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultPlane } from './fault-plane.ts';
import { answerStatus, microErrorFailed } from './http-exchange-meter.ts';
import type { Link } from './link.ts';
import type { LinkTracer } from './link-tracer.ts';
import { waitUntil } from './testing/link-fixture.ts';

interface Seen {
  ms: number;
  failed: boolean;
}

/** A real HTTP server whose answer is chosen by path, behind a real observed link. */
async function observedServer() {
  const server = http.createServer((req, res) => {
    const [, kind, arg] = (req.url ?? '/').split('/');
    if (kind === 'status') res.writeHead(Number(arg)).end('x');
    else if (kind === 'micro-error') res.writeHead(200, { 'Micro-Error': `{"id":"x","code":${arg},"detail":"d","status":"s"}` }).end();
    else if (kind === 'hang') return; // never answers
    else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  // Records what the link traced (requests with a traceparent): one outcome per traced exchange.
  const traced: ({ status: number } | { error: string })[] = [];
  const tracer: LinkTracer = {
    request: (_link, chunk) => (chunk.includes('traceparent:') ? { event: () => {}, end: (outcome) => void traced.push(outcome) } : undefined),
  };
  const plane = new FaultPlane({ tracer });
  const link: Link = await plane.createLink({ name: 'srv/inbound', upstream: `127.0.0.1:${port}` });
  const seen: Seen[] = [];
  link.observe({ exchange: (ms, failed) => seen.push({ ms, failed }) });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string, timeoutMs = 10_000) =>
    new Promise<number>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port: link.port, path, agent, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  const close = async () => {
    agent.destroy();
    await plane.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { plane, link, seen, traced, get, close, server };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('answerStatus (the status line a link reads for its meter and its span)', () => {
  it('reads the status of an HTTP/1.x status line, and tells anything else apart', () => {
    const read = (text: string) => answerStatus(Buffer.from(text, 'latin1'));
    expect(read('HTTP/1.1 200 OK\r\n\r\n')).toBe(200);
    expect(read('HTTP/1.0 503 Service Unavailable\r\n')).toBe(503);
    expect(read('HTTP/1.1 100 Continue\r\n\r\n')).toBe(100);
    // a status line is HTTP/1.x and 12 bytes at least
    expect(read('HTTP/2 200 OK\r\n\r\n')).toBe(-1);
    expect(read('http/1.1 200 OK\r\n')).toBe(-1);
    expect(read('HTTP/1.1 20')).toBe(-1);
    expect(read('{"message":"a body chunk"}')).toBe(-1);
    // digits that are not digits: 0, which the meter counts as a failed answer
    expect(read('HTTP/1.1 abc\r\n\r\n')).toBe(0);
  });
});

describe('microErrorFailed (a mucp answer that carries a go-micro error)', () => {
  const answer = (head: string, body = '') => Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${head}\r\n${body}`, 'latin1');
  it('fails an answer whose Micro-Error head has a failing code, in either spelling', () => {
    expect(microErrorFailed(answer('Micro-Error: {"id":"x","code":500,"detail":"d"}\r\n'))).toBe(true);
    expect(microErrorFailed(answer('micro-error: {"id":"x","code": 408}\r\n'))).toBe(true);
    expect(microErrorFailed(answer('Micro-Error: {"id":"x","code":0}\r\n'))).toBe(true);
    // no code go-micro can classify: counted
    expect(microErrorFailed(answer('Micro-Error: not json\r\n'))).toBe(true);
    expect(microErrorFailed(answer('Micro-Error: {"id":"x","code":400,"detail":"bad"}\r\n'))).toBe(false);
    expect(microErrorFailed(answer('Micro-Error: {"id":"x","code":404}\r\n'))).toBe(false);
  });
  it('reads only the head, and only that header', () => {
    expect(microErrorFailed(answer('Micro-Id: 1\r\n', '{"message":"hi"}'))).toBe(false);
    // the same bytes in the body are not a header
    expect(microErrorFailed(answer('Micro-Id: 1\r\n', 'x\nMicro-Error: {"code":500}'))).toBe(false);
    expect(microErrorFailed(answer('X-Micro-Error: {"code":500}\r\n'))).toBe(false);
    expect(microErrorFailed(answer('Error: {"code":500}\r\n', '{"error":"rror: 500"}'))).toBe(false);
    // the header in the head decides, whatever the body holds
    expect(microErrorFailed(answer('micro-error: {"code":503}\r\n', 'x\nMicro-Error: {"code":400}'))).toBe(true);
  });
});

describe('HttpExchangeMeter (a link observer)', () => {
  it('counts each request of a keep-alive connection once and classifies its answer', async () => {
    const s = await observedServer();
    cleanup = s.close;
    for (const path of ['/ok', '/status/400', '/status/404', '/status/500', '/status/503', '/status/408', '/micro-error/500', '/micro-error/408', '/micro-error/400']) {
      await s.get(path);
    }
    await waitUntil(() => s.seen.length === 9, 'nine exchanges');
    expect(s.seen.map((e) => e.failed)).toEqual([false, false, false, true, true, true, true, true, false]);
    expect(s.link.stats().accepted).toBe(1); // one connection carried them all
  });

  it('times the answer as the caller gets it: after a latency toxic on the way back', async () => {
    const s = await observedServer();
    cleanup = s.close;
    await s.get('/ok');
    s.plane.addToxic('srv/inbound', { type: 'latency', name: 'slow', stream: 'downstream', attributes: { latency: 200 } });
    await s.get('/ok');
    await waitUntil(() => s.seen.length === 2, 'two exchanges');
    expect(s.seen[0]!.ms).toBeLessThan(200);
    expect(s.seen[1]!.ms).toBeGreaterThanOrEqual(199);
  });

  it('counts a caller that gives up on a partitioned instance as a failed call, when it gives up', async () => {
    const s = await observedServer();
    cleanup = s.close;
    for (const stream of ['upstream', 'downstream'] as const) s.plane.addToxic('srv/inbound', { type: 'down', name: `cut-${stream}`, stream });
    await expect(s.get('/ok', 300)).rejects.toThrow('timeout');
    await waitUntil(() => s.seen.length === 1, 'the abandoned exchange');
    expect(s.seen[0]!.failed).toBe(true);
    expect(s.seen[0]!.ms).toBeGreaterThanOrEqual(250);
  });

  it('counts a refused upstream and a reset as failed calls', async () => {
    const s = await observedServer();
    cleanup = s.close;
    s.plane.addToxic('srv/inbound', { type: 'reset_peer', name: 'rst', stream: 'upstream', attributes: { timeout: 0 } });
    await expect(s.get('/ok')).rejects.toThrow();
    s.plane.removeToxic('srv/inbound', 'rst');
    const free = net.createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = (free.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    s.link.setUpstream(`127.0.0.1:${port}`); // nothing listens there now
    await expect(s.get('/ok')).rejects.toThrow();
    await waitUntil(() => s.seen.length === 2, 'two failed exchanges');
    expect(s.seen.every((e) => e.failed)).toBe(true);
  });

  it("neither counts nor traces a request that crossed the instance's idle keep-alive close; one it dropped unanswered or refused, it does", async () => {
    const s = await observedServer();
    cleanup = s.close;
    s.server.keepAliveTimeout = 100; // the instance closes a connection idle this long
    // A caller that has not read the instance's FIN yet (a busy event loop) sends its next request anyway.
    const socket = net.connect({ port: s.link.port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {}).resume();
    const head = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\ntraceparent: 00-${'a'.repeat(32)}-${'b'.repeat(16)}-01\r\n\r\n`;
    const request = (path: string) => socket.write(head(path));
    request('/ok');
    const ended = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    await waitUntil(() => s.seen.length === 1, 'the answered exchange');
    await ended; // the instance's FIN came through the link
    request('/ok');
    socket.end(); // then the caller reads the FIN and gives the connection up (its request unanswered)
    await waitUntil(() => s.link.stats().connections === 0, 'the connection to close');
    expect(s.seen).toEqual([{ ms: s.seen[0]!.ms, failed: false }]);
    expect(s.traced).toEqual([{ status: 200 }]);
    // The caller's retry on a fresh connection is measured; an instance that drops it unanswered failed it.
    const retry = net.connect({ port: s.link.port, host: '127.0.0.1' });
    retry.on('error', () => {}).resume();
    s.server.once('request', (req: http.IncomingMessage) => req.socket.destroy());
    retry.write(head('/hang'));
    await waitUntil(() => s.seen.length === 2 && s.traced.length === 2, 'the dropped exchange');
    expect(s.seen[1]!.failed).toBe(true);
    expect(s.traced[1]).toEqual({ error: 'connection closed before an answer' });
    // An instance that closes a fresh connection before answering anything refused it: a request the
    // caller sends there anyway still failed.
    const closer = net.createServer((c) => c.end()).on('error', () => {});
    await new Promise<void>((resolve) => closer.listen(0, '127.0.0.1', resolve));
    s.link.setUpstream(`127.0.0.1:${(closer.address() as net.AddressInfo).port}`);
    const fresh = net.connect({ port: s.link.port, host: '127.0.0.1', allowHalfOpen: true });
    fresh.on('error', () => {}).resume();
    await new Promise<void>((resolve) => fresh.once('end', () => resolve()));
    fresh.end(head('/ok'));
    await waitUntil(() => s.seen.length === 3 && s.traced.length === 3, 'the refused exchange');
    expect(s.seen[2]!.failed).toBe(true);
    closer.close();
  });

  it("does not count a request whose connection the instance closed right behind it after a long idle (the same race, the other way round); on a busy connection it does", async () => {
    const s = await observedServer();
    cleanup = s.close;
    // A raw instance: answers each request, except that, told to, it closes the connection the next request
    // comes on, unanswered: with a FIN, or with a RST (as a kernel does for a socket closed with the request
    // unread in it).
    let drop: 'fin' | 'rst' | undefined;
    const instance = net.createServer((c) => {
      c.on('error', () => {});
      c.on('data', () => {
        if (drop === 'fin') c.destroy();
        else if (drop === 'rst') c.resetAndDestroy();
        else c.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => instance.listen(0, '127.0.0.1', resolve));
    s.link.setUpstream(`127.0.0.1:${(instance.address() as net.AddressInfo).port}`);
    const head = 'GET /ok HTTP/1.1\r\nHost: x\r\n\r\n';
    /** One answered request on a fresh connection, `idleMs` of quiet, then a request the instance closes with `how`. */
    const answeredThenClosed = async (idleMs: number, how: 'fin' | 'rst') => {
      const c = net.connect({ port: s.link.port, host: '127.0.0.1' });
      c.on('error', () => {}).resume();
      const closed = new Promise<void>((resolve) => c.once('close', () => resolve()));
      drop = undefined;
      const answers = s.seen.length + 1;
      c.write(head);
      await waitUntil(() => s.seen.length === answers, 'the answer');
      await new Promise((r) => setTimeout(r, idleMs));
      drop = how;
      c.write(head);
      await closed;
    };

    // Idle for longer than IDLE_BEFORE_CLOSE_MS, then the instance's FIN right behind the request; the same
    // with a RST (the instance closed the idle connection with the request unread in it).
    await answeredThenClosed(1_200, 'fin');
    await answeredThenClosed(1_200, 'rst');
    await waitUntil(() => s.link.stats().connections === 0, 'both connections to close');
    expect(s.seen.map((e) => e.failed)).toEqual([false, false]);

    // A busy connection (answered just before) closed behind a request: the instance failed that request.
    await answeredThenClosed(0, 'fin');
    await waitUntil(() => s.seen.length === 4, 'the dropped request');
    expect(s.seen.map((e) => e.failed)).toEqual([false, false, false, true]);
    instance.close();
  });

  it('measures nothing on a connection whose answers are not HTTP/1 (raw TCP, HTTP/2)', async () => {
    const s = await observedServer();
    cleanup = s.close;
    const echo = net.createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)).on('error', () => {}));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    s.link.setUpstream(`127.0.0.1:${(echo.address() as net.AddressInfo).port}`);
    const socket = net.connect(s.link.port, '127.0.0.1');
    socket.write('PING 1\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('PING 2\r\n');
    socket.destroy();
    await waitUntil(() => s.link.stats().connections === 0, 'the connection to close');
    echo.close();
    s.link.setUpstream(`127.0.0.1:${(s.server.address() as net.AddressInfo).port}`);
    await s.get('/ok'); // the next HTTP connection is measured again
    await waitUntil(() => s.seen.length > 0, 'an exchange');
    expect(s.seen).toHaveLength(1);
  });
});
