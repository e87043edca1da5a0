import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../runtime.ts';
import { LogTap } from './log-tap.ts';

describe('LogTap', () => {
  it('splits chunks into lines: partial chunks, utf8 across chunks, CRLF, and a last line without newline', async () => {
    const tap = new LogTap('svc-1');
    const seen: LogLine[] = [];
    tap.onLog((l) => seen.push(l));
    const stream = new PassThrough();
    const done = tap.attach(stream, 'stderr');
    const euro = Buffer.from('€');
    stream.write('hel');
    stream.write('lo\r\nwor');
    stream.write(Buffer.concat([Buffer.from('ld '), euro.subarray(0, 1)]));
    stream.write(Buffer.concat([euro.subarray(1), Buffer.from('\nlast')]));
    stream.end();
    await done;
    expect(seen.map((l) => l.line)).toEqual(['hello', 'world €', 'last']);
    expect(seen[0]).toMatchObject({ instance: 'svc-1', stream: 'stderr' });
    expect(tap.lastLines()).toEqual(['hello', 'world €', 'last']);
  });

  it('keeps the last stderr lines when there are any, else the last lines', () => {
    const tap = new LogTap('svc-1', 3);
    for (const n of [1, 2, 3, 4]) tap.emit('stdout', `out ${n}`);
    expect(tap.lastLines()).toEqual(['out 2', 'out 3', 'out 4']);
    tap.emit('stderr', 'boom');
    expect(tap.lastLines()).toEqual(['boom']);
  });

  it('replays early lines to subscribers until the replay window closes, and survives a throwing listener', async () => {
    const tap = new LogTap('svc-1');
    tap.emit('stdout', 'early');
    const first: string[] = [];
    tap.onLog(() => {
      throw new Error('bad subscriber');
    });
    tap.onLog((l) => first.push(l.line));
    tap.closeReplayWindow();
    await Promise.resolve();
    expect(first).toEqual(['early']);
    await new Promise((resolve) => setImmediate(resolve));
    const late: string[] = [];
    tap.onLog((l) => late.push(l.line));
    tap.emit('stdout', 'later');
    await Promise.resolve();
    expect(late).toEqual(['later']);
    expect(first).toEqual(['early', 'later']);
  });
});

describe('LogTap tails', () => {
  it('a burst of stdout after a crash message does not push the message out', () => {
    const tap = new LogTap('svc-1', 2);
    tap.emit('stderr', 'Error: boom');
    for (let n = 0; n < 10; n++) tap.emit('stdout', `out ${n}`);
    expect(tap.lastLines()).toEqual(['Error: boom']);
  });
});
