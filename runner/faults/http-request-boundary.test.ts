import { describe, expect, it } from 'vitest';
import { HttpRequestBoundary } from './http-request-boundary.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('HttpRequestBoundary', () => {
  it.each([
    ['one GET', ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], [[0]]],
    [
      'two pipelined GETs in one chunk',
      ['GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'],
      [[0, 19]],
    ],
    [
      'a POST body split across chunks, then the next request',
      ['POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nab', 'cde', 'GET / HTTP/1.0\r\n\r\n'],
      [[0], [], [0]],
    ],
    ['a head split mid CRLFCRLF', ['GET / HTTP/1.1\r\nA: 1\r', '\n\r\nGET'], [[0], [3]]],
    [
      'a chunked body split anywhere, with an extension and a trailer',
      [
        'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhel',
        'lo\r\n0\r',
        '\nX-T: 1\r\n\r\nGET / HTTP/1.1\r\n\r\n',
      ],
      [[0], [], [11]],
    ],
    [
      'a chunked body containing CRLFCRLF, then a pipelined request',
      ['POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n\r\n\r\n\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n'],
      [[0, 61]],
    ],
  ])('%s', (_name, chunks, expected) => {
    const boundary = new HttpRequestBoundary();
    expect(chunks.map((c) => boundary.feed(b(c)))).toEqual(expected);
  });

  it.each([
    ['another transfer coding', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['a bad Content-Length', 'POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n'],
    ['binary protocols', '\x16\x03\x01\x02\x00'],
    ['HTTP/2 prior knowledge', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ])('gives up (null, for good) on %s', (_name, text) => {
    const boundary = new HttpRequestBoundary();
    expect(boundary.feed(b(text))).toBeNull();
    expect(boundary.feed(b('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
    expect(boundary.off).toBe(true);
  });
});
