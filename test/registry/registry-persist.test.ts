/**
 * registry.persist is crash-safe: a write answered before a SIGKILL is there after the restart (writers in
 * parallel, a kill at a seeded random moment), a torn last log record is cut off with a warning, and a
 * corrupt snapshot or log is set aside with a clear error, never emptied.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../runner/faults/seeded-random.ts';
import { startRegistry, type StartedRegistry } from '../../runner/registry/start-registry.ts';
import { http } from './registry-harness.ts';

const CHILD = fileURLToPath(new URL('./fixtures/persist-child.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

async function startChild(file: string): Promise<Child> {
  const child = spawn(process.execPath, [CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`registry child gave no address within 20 s: ${out}`)), 20_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening (\S+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', () => reject(new Error(`registry child exited before listening: ${out}`)));
  });
  return { process: child, url, exited };
}

async function kill(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

describe('registry persist across crashes', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  function tempFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'md-persist-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'registry.json');
  }
  async function start(persist: string, warnings: string[] = []): Promise<StartedRegistry> {
    const r = await startRegistry({ host: '127.0.0.1', port: 0, persist }, { onWarning: (m) => warnings.push(m) });
    cleanups.push(() => r.stop());
    return r;
  }

  it('every write answered before a SIGKILL at a random moment is there after the restart', { timeout: 120_000 }, async () => {
    const seed = Number(process.env.PERSIST_SEED ?? Math.floor(Math.random() * 2 ** 31));
    console.log(`persist crash test seed ${seed} (PERSIST_SEED=${seed} replays the kill moments)`);
    const random = seededRandom(seed);
    const file = tempFile();
    const acked = new Map<string, string>();
    let registered = false;
    for (let round = 0; round < 3; round++) {
      const child = await startChild(file);
      cleanups.push(() => child.process.kill('SIGKILL'));
      // Kill once this many writes were answered, a random fraction of a millisecond or more later.
      const killAfter = 1 + Math.floor(random() * 45);
      const killDelayMs = random() * 4;
      let answered = 0;
      let next = 0;
      let killing: Promise<void> | undefined;
      const writer = async () => {
        while (next < 50) {
          const i = next++;
          const key = `crash/r${round}/k${i}`;
          const value = `v${i}-${seed}`;
          try {
            if (round === 1 && i === 10) {
              const res = await fetch(`${child.url}/v1/agent/service/register`, { method: 'PUT', body: '{"Name":"crash","ID":"crash-1","Port":1}' });
              if (res.status === 200) registered = true;
            }
            const res = await fetch(`${child.url}/v1/kv/${key}`, { method: 'PUT', body: value });
            if (res.status === 200 && (await res.text()) === 'true') acked.set(key, value);
          } catch {
            return; // the registry is gone: this write was never answered
          }
          if (++answered === killAfter) killing = new Promise((r) => setTimeout(r, killDelayMs)).then(() => kill(child));
        }
      };
      await Promise.all([writer(), writer(), writer(), writer()]);
      await (killing ?? kill(child));
    }
    const after = await startChild(file);
    cleanups.push(() => after.process.kill('SIGKILL'));
    const entries = (await (await fetch(`${after.url}/v1/kv/crash/?recurse`)).json()) as { Key: string; Value: string }[];
    const found = new Map(entries.map((e) => [e.Key, Buffer.from(e.Value, 'base64').toString()]));
    expect(acked.size).toBeGreaterThanOrEqual(3);
    const lost = [...acked].filter(([k, v]) => found.get(k) !== v).map(([k]) => k);
    expect(lost).toEqual([]);
    const services = (await (await fetch(`${after.url}/v1/agent/services`)).json()) as Record<string, unknown>;
    if (registered) expect(Object.keys(services)).toContain('crash-1');
  });

  it('a torn last record is cut off with a warning; later writes append cleanly', async () => {
    const file = tempFile();
    const child = await startChild(file);
    cleanups.push(() => child.process.kill('SIGKILL'));
    await fetch(`${child.url}/v1/kv/a`, { method: 'PUT', body: 'A' });
    await fetch(`${child.url}/v1/kv/b`, { method: 'PUT', body: 'B' });
    await kill(child);
    const log = readFileSync(`${file}.log`, 'utf8');
    expect(log.trim().split('\n')).toHaveLength(2);
    // A crash in the middle of writing a third record: half a line, no newline.
    const third = log.split('\n')[1].replace('"k":"b"', '"k":"c"');
    appendFileSync(`${file}.log`, third.slice(0, 30));
    const warnings: string[] = [];
    const r = await start(file, warnings);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`discarded a torn last record in ${file}.log (line 3`);
    expect((await http(`${r.url}/v1/kv/a?raw`)).text).toBe('A');
    expect((await http(`${r.url}/v1/kv/b?raw`)).text).toBe('B');
    expect((await http(`${r.url}/v1/kv/c`)).status).toBe(404);
    await http(`${r.url}/v1/kv/d`, 'PUT', 'D');
    await r.stop();
    const again = await start(file, warnings);
    expect(warnings).toHaveLength(1);
    expect((await http(`${again.url}/v1/kv/d?raw`)).text).toBe('D');
    expect((await http(`${again.url}/v1/kv/a?raw`)).text).toBe('A');
  });

  it('a damaged record before the last sets both files aside with a clear error, and the next start is empty', async () => {
    const file = tempFile();
    const child = await startChild(file);
    cleanups.push(() => child.process.kill('SIGKILL'));
    for (const k of ['a', 'b', 'c']) await fetch(`${child.url}/v1/kv/${k}`, { method: 'PUT', body: k });
    await kill(child);
    const lines = readFileSync(`${file}.log`, 'utf8').split('\n');
    lines[0] = lines[0].replace('"k":"a"', '"k":"x"'); // checksum no longer matches
    writeFileSync(`${file}.log`, lines.join('\n'));
    const error = await startRegistry({ host: '127.0.0.1', port: 0, persist: file }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`registry persist file ${file} is corrupt: ${file}.log line 1 is damaged and records follow it`);
    expect(String((error as { hints?: string[] }).hints)).toMatch(/set aside as registry\.json\.corrupt-\S+ and registry\.json\.log\.corrupt-/);
    expect(existsSync(file)).toBe(false);
    const aside = readdirSync(join(file, '..')).filter((f) => f.includes('.corrupt-'));
    expect(aside).toHaveLength(2);
    // Nothing was lost from what was set aside.
    expect(readFileSync(join(file, '..', aside.find((f) => f.includes('.log.'))!), 'utf8')).toBe(lines.join('\n'));
    const fresh = await start(file);
    expect((await http(`${fresh.url}/v1/kv/b`)).status).toBe(404);
  });

  it('a snapshot that does not parse is set aside too', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version":2,"seq":3,"tab');
    await expect(startRegistry({ host: '127.0.0.1', port: 0, persist: file })).rejects.toThrow(`registry persist file ${file} is corrupt: ${file} does not parse`);
    expect(readdirSync(join(file, '..')).filter((f) => f.startsWith('registry.json.corrupt-'))).toHaveLength(1);
  });

  it('reads a file of the first format (whole state as JSON) and writes it back as snapshot + log', async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ version: 1, services: [], kv: [{ key: 'old', value: Buffer.from('kept').toString('base64'), flags: '0' }] }));
    const r = await start(file);
    expect((await http(`${r.url}/v1/kv/old?raw`)).text).toBe('kept');
    await r.stop();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 2, tables: { kv: { old: { value: Buffer.from('kept').toString('base64') } } } });
    expect(readFileSync(`${file}.log`, 'utf8')).toBe('');
  });

  it('compacts: a clean stop leaves the whole state in the snapshot and an empty log', async () => {
    const file = tempFile();
    const r = await start(file);
    for (let i = 0; i < 20; i++) await http(`${r.url}/v1/kv/n/${i % 5}`, 'PUT', String(i));
    await http(`${r.url}/v1/kv/n/0`, 'DELETE');
    expect(readFileSync(`${file}.log`, 'utf8').trim().split('\n')).toHaveLength(21);
    await r.stop();
    expect(readFileSync(`${file}.log`, 'utf8')).toBe('');
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as { tables: { kv: Record<string, unknown> } };
    expect(Object.keys(snapshot.tables.kv).sort()).toEqual(['n/1', 'n/2', 'n/3', 'n/4']);
  });
});
