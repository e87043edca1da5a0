import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLogFiles } from '../cli/read-log-files.ts';
import { LogBuffer } from './log-buffer.ts';
import { LogFiles } from './log-files.ts';

describe('LogFiles', () => {
  it('keeps each instance within maxBytes x (keep + 1): the oldest lines go, the newest stay, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'micro-dev-logs-'));
    const files = new LogFiles(dir, { maxBytes: 4096, keep: 2 });
    const t0 = Date.parse('2026-12-02T14:00:00.000Z');
    for (let i = 0; i < 2000; i++) {
      files.write({ instance: 'greeter-srv-1', stream: i % 7 === 0 ? 'stderr' : 'stdout', line: `line ${i} ${'x'.repeat(20)}`, at: t0 + i });
    }
    files.write({ instance: 'greeter-api-1', stream: 'stdout', line: 'one line of its own', at: t0 });
    await files.close();

    expect((await readdir(dir)).sort()).toEqual(['greeter-api-1.log', 'greeter-srv-1.log', 'greeter-srv-1.log.1', 'greeter-srv-1.log.2']);
    for (const name of ['greeter-srv-1.log', 'greeter-srv-1.log.1', 'greeter-srv-1.log.2']) {
      expect((await stat(join(dir, name))).size).toBeLessThanOrEqual(4096);
    }
    expect((await readFile(join(dir, 'greeter-srv-1.log'), 'utf8')).split('\n').at(-2)).toBe(
      `2026-12-02T14:00:01.999Z stdout line 1999 ${'x'.repeat(20)}`,
    );
    const kept = await readLogFiles(dir);
    expect(kept.instances).toEqual(['greeter-api-1', 'greeter-srv-1']);
    const srv = kept.lines.filter((l) => l.instance === 'greeter-srv-1');
    const numbers = srv.map((l) => Number(l.line.split(' ')[1]));
    expect(numbers.at(-1)).toBe(1999);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i)); // contiguous: nothing lost inside the kept span
    expect(numbers[0]).toBeGreaterThan(1000); // the oldest ones were rotated out
    expect(srv.find((l) => l.line.startsWith('line 1995 '))?.stream).toBe('stderr'); // 1995 = 7 x 285
    expect(srv.find((l) => l.line.startsWith('line 1996 '))?.stream).toBe('stdout');
  });

  it('appends to the file a previous run left, within the same bound', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'micro-dev-logs-'));
    const first = new LogFiles(dir, { maxBytes: 200, keep: 1 });
    first.write({ instance: 'a-1', stream: 'stdout', line: 'from the first run', at: 0 });
    await first.close();
    const second = new LogFiles(dir, { maxBytes: 200, keep: 1 });
    for (let i = 0; i < 5; i++) second.write({ instance: 'a-1', stream: 'stdout', line: `second run ${i} ${'y'.repeat(30)}`, at: 1000 + i });
    await second.close();
    expect((await readdir(dir)).sort()).toEqual(['a-1.log', 'a-1.log.1']);
    const lines = (await readLogFiles(dir)).lines.map((l) => l.line);
    expect(lines.at(-1)).toMatch(/^second run 4 /);
    expect(lines).not.toContain('from the first run'); // rotated out: 6 lines do not fit in 2 x 200 bytes
  });
});

describe('LogBuffer', () => {
  it('keeps a ring per instance: a chatty instance does not push the others out', () => {
    const buffer = new LogBuffer(10);
    buffer.push({ instance: 'quiet-1', stream: 'stdout', line: 'hello', at: 0 });
    for (let i = 0; i < 100; i++) buffer.push({ instance: 'chatty-1', stream: 'stdout', line: `n${i}`, at: i + 1 });
    expect(buffer.recent('quiet-1')).toEqual([{ instance: 'quiet-1', stream: 'stdout', line: 'hello', at: 0 }]);
    expect(buffer.recent('chatty-1').map((l) => l.line)).toEqual(Array.from({ length: 10 }, (_, i) => `n${90 + i}`));
    const all = buffer.recent(undefined, 5);
    expect(all.map((l) => l.line)).toEqual(['n95', 'n96', 'n97', 'n98', 'n99']);
    expect(buffer.recent(undefined, 1000)[0]!.line).toBe('hello'); // merged in time order
  });
});
