/**
 * Instance threads use Node's compile cache when micro-dev's launcher has it on: with a warm cache a thread
 * running a TypeScript module never loads Node's type stripper (~12 MB of RSS a thread, issue 13), and the
 * instance's env stays exactly its own. NODE_DISABLE_COMPILE_CACHE=1 turns it all off.
 */
import { describe, expect, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeInstances } from '../support/probe-instance.ts';

const probes = probeInstances();

// One line with what the thread saw: the cache folder, whether the stripper was loaded, the env's keys.
const PROBE = `const seen: string[] = process.moduleLoadList.filter((m) => m.includes('amaro'));
const cache: string | undefined = process.getBuiltinModule('node:module').getCompileCacheDir();
console.log('probe cache=' + (cache ?? 'none') + ' stripper=' + (seen.length > 0 ? 'loaded' : 'no') + ' env=' + Object.keys(process.env).filter((k) => k.includes('COMPILE_CACHE')).join(',') + ' flags=' + process.execArgv.filter((a) => !a.includes('preload')).join(','));
const { parentPort } = await import('node:worker_threads');
const keep = setInterval(() => undefined, 60_000);
parentPort?.on('message', (m: { type?: string }) => { if (m?.type === 'stop') clearInterval(keep); });
`;

async function runOnce(file: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<string> {
  const cli = probes.up(file, env, nodeFlags);
  await cli.waitFor(/micro-dev ready/, 60_000);
  const line = /probe cache=.*$/m.exec(cli.output)?.[0];
  cli.child.kill('SIGINT');
  expect(await cli.exited).toEqual({ code: 0, signal: null });
  if (!line) throw new Error(`no probe line in:\n${cli.output}`);
  return line;
}

describe('compile cache in instance threads', () => {
  it('a warm cache keeps the type stripper out of the thread; the env stays the instance own', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'micro-dev-cc-'));
    probes.dirs.push(cache);
    const file = await probes.topology(PROBE, 'probe cache=');

    const cold = await runOnce(file, { NODE_COMPILE_CACHE: cache });
    expect(cold).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=loaded env= flags=--require$`));
    // micro-dev's own Node flags reach the thread (--no-warnings), or are left out when a Worker refuses one
    // (--max-semi-space-size, as the launcher's shebang gives it): the cache works either way.
    const warm = await runOnce(file, { NODE_COMPILE_CACHE: cache }, ['--no-warnings']);
    expect(warm).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=no env= flags=--no-warnings,--require$`));
    const refused = await runOnce(file, { NODE_COMPILE_CACHE: cache }, ['--max-semi-space-size=4']);
    expect(refused).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=no env= flags=--require$`));
    // the preload stays (it also keeps nextTick's objects in shape: runner/runtimes/tick-object-shape.cjs); no cache
    const off = await runOnce(file, { NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '1' }, ['--no-warnings']);
    expect(off).toBe('probe cache=none stripper=loaded env= flags=--no-warnings,--require');
  });
});
