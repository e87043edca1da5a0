import { describe, expect, it } from 'vitest';
import { traceparentOffset } from './link-spans.ts';

const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparentOffset', () => {
  it('finds the value in a request head, whatever the name case and spacing', () => {
    for (const name of ['traceparent', 'Traceparent', 'TraceParent'.replace('P', 'p')]) {
      const head = Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\n${name}:  ${tp}\r\n\r\n{}`);
      const at = traceparentOffset(head);
      expect(head.toString('latin1', at, at + 55)).toBe(tp);
    }
  });

  it('ignores a traceparent that is not a header of this head (body, other header names, cut off)', () => {
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\nHost: x\r\n\r\ntraceparent: ${tp}`))).toBe(-1);
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\nX-Traceparent: ${tp}\r\n\r\n`))).toBe(-1);
    expect(traceparentOffset(Buffer.from(`POST / HTTP/1.1\r\ntraceparent: ${tp.slice(0, 30)}`))).toBe(-1);
  });
});
