import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunFile, writeRunFile, type RunInfo } from './run-file.ts';

describe('run file', () => {
  it('a reader never sees it half-written while up rewrites it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'run-file-'));
    try {
      const configFile = join(dir, 'micro.dev.yaml');
      const info = (n: number): RunInfo => ({
        pid: process.pid,
        controlUrl: 'http://127.0.0.1:1',
        token: 't'.repeat(64),
        configFile,
        topology: `t${n}`,
        startedAt: n,
        urls: { gateway: 'http://127.0.0.1:2', proxy: 'http://127.0.0.1:3', web: 'http://127.0.0.1:4', registry: 'http://127.0.0.1:5' },
        broker: 'x'.repeat(4096 + n), // a bigger file makes a partial read likelier
      });
      await writeRunFile(info(0));
      let writing = true;
      const writes = (async () => {
        for (let n = 1; n <= 300; n++) await writeRunFile(info(n));
        writing = false;
      })();
      let reads = 0;
      const missed: number[] = [];
      while (writing) {
        const read = await readRunFile(configFile);
        if (read?.pid !== process.pid) missed.push(reads);
        reads++;
      }
      await writes;
      expect(reads).toBeGreaterThan(10);
      expect(missed).toEqual([]);
      expect((await readRunFile(configFile))?.startedAt).toBe(300);
      expect(await readdir(join(dir, '.micro-dev'))).toEqual(['run.json']); // no temporary file left
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
