/**
 * The in-memory connection between node:http and a link: a message node:http writes (head, then a Buffer
 * body, corked) reaches the link as one chunk, so the link forwards it to the instance with one write.
 */
import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { localSocketPair } from './local-socket.ts';

function collect(stream: NodeJS.ReadableStream, until: (text: string) => boolean): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      if (until(Buffer.concat(chunks).toString('latin1'))) resolve(chunks);
    });
  });
}

describe('localSocketPair', () => {
  it("hands a client request's head and Buffer body to the link as one chunk", async () => {
    const { http: httpEnd, link } = localSocketPair();
    const body = Buffer.from('{"name":"John"}');
    const received = collect(link, (text) => text.endsWith('{"name":"John"}'));
    const req = http.request({ method: 'POST', path: '/', createConnection: () => httpEnd, headers: { 'Content-Type': 'application/json' } });
    req.on('error', () => {});
    req.end(body);
    const chunks = await received;
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.toString('latin1')).toMatch(/^POST \/ HTTP\/1\.1\r\n[\s\S]*\r\n\r\n\{"name":"John"\}$/);
    link.destroy();
  });

  it("hands a server response's head and Buffer body to the link as one chunk", async () => {
    const { http: httpEnd, link } = localSocketPair();
    const server = http.createServer((_req, res) => {
      const answer = Buffer.from('{"msg":"Hello John"}');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(answer.length) });
      res.end(answer);
    });
    server.emit('connection', httpEnd);
    const received = collect(link, (text) => text.endsWith('{"msg":"Hello John"}'));
    link.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const chunks = await received;
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"msg":"Hello John"\}$/);
    link.destroy();
    server.close();
  });

  describe('idle timeout (what the Agent drops idle pooled connections by)', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** An HTTP end whose 'timeout' events are counted, on fake timers and a fake performance clock. */
    function timedEnd() {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
      const { http: httpEnd, link } = localSocketPair();
      const fired: number[] = [];
      httpEnd.on('timeout', () => fired.push(performance.now()));
      return { httpEnd, link, fired, start: performance.now() };
    }

    it('emits once the latest timeout has passed with no new one, counted from that call', () => {
      const { httpEnd, link, fired, start } = timedEnd();
      httpEnd.setTimeout(1_000);
      vi.advanceTimersByTime(600);
      httpEnd.setTimeout(1_000); // handed out and taken back again: idle from here
      vi.advanceTimersByTime(999);
      expect(fired).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(fired).toEqual([start + 1_600]);
      vi.advanceTimersByTime(5_000);
      expect(fired).toHaveLength(1);
      link.destroy();
    });

    it('ms 0 stops it (a connection in use); a shorter timeout than the pending one comes on time', () => {
      const { httpEnd, link, fired, start } = timedEnd();
      httpEnd.setTimeout(1_000);
      httpEnd.setTimeout(0);
      vi.advanceTimersByTime(5_000);
      expect(fired).toEqual([]);
      httpEnd.setTimeout(10_000);
      vi.advanceTimersByTime(1_000);
      httpEnd.setTimeout(500);
      vi.advanceTimersByTime(500);
      expect(fired).toEqual([start + 6_500]);
      link.destroy();
    });

    it("a callback given with the timeout runs once, and ms 0 takes it off (net.Socket's contract)", () => {
      const { httpEnd, link } = timedEnd();
      const calls: string[] = [];
      const kept = () => calls.push('kept');
      const dropped = () => calls.push('dropped');
      httpEnd.setTimeout(100, dropped);
      httpEnd.setTimeout(0, dropped);
      httpEnd.setTimeout(100, kept);
      vi.advanceTimersByTime(100);
      httpEnd.setTimeout(100);
      vi.advanceTimersByTime(100);
      expect(calls).toEqual(['kept']);
      link.destroy();
    });

    it('no timer outlives the connection', async () => {
      const { httpEnd, link, fired } = timedEnd();
      httpEnd.setTimeout(1_000);
      link.destroy();
      await new Promise((r) => httpEnd.once('close', r));
      expect(vi.getTimerCount()).toBe(0);
      vi.advanceTimersByTime(2_000);
      expect(fired).toEqual([]);
    });
  });
});
