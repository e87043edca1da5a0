import { describe, expect, it } from 'vitest';
import { readableLogLine } from './readable-log-line.ts';

describe('readableLogLine', () => {
  it("keeps zap's message and error, without the Go stack trace", () => {
    const line = JSON.stringify({
      level: 'fatal',
      ts: '2026-12-02T19:36:27.195Z',
      caller: 'etcdmain/etcd.go:271',
      msg: 'discovery failed',
      error: 'listen tcp 127.0.0.1:23504: bind: address already in use',
      stacktrace: 'go.etcd.io/etcd/etcdmain.startEtcdOrProxyV2\n\tgo.etcd.io/etcd/etcdmain/etcd.go:271',
    });
    expect(readableLogLine(line)).toBe('discovery failed: listen tcp 127.0.0.1:23504: bind: address already in use');
    expect(readableLogLine(JSON.stringify({ level: 'warn', msg: 'slow fdatasync' }))).toBe('slow fdatasync');
  });

  it('leaves other lines as they are', () => {
    expect(readableLogLine('plain text')).toBe('plain text');
    expect(readableLogLine('{not json')).toBe('{not json');
    expect(readableLogLine('{"level":"info"}')).toBe('{"level":"info"}');
  });
});
