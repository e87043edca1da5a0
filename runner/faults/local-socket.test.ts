/**
 * The in-memory connection between node:http and a link: a message node:http writes (head, then a Buffer
 * body, corked) reaches the link as one chunk, so the link forwards it to the instance with one write.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
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
});
