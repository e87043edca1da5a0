/**
 * Instance threads use Node's compile cache when micro-dev's launcher has it on: with a warm cache a thread
 * running a TypeScript module never loads Node's type stripper (~12 MB of RSS a thread, issue 13), and the
 * instance's env stays exactly its own. NODE_DISABLE_COMPILE_CACHE=1 turns it all off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliProcess, writeTopology } from '../support/cli-process.ts';

const dirs: string[] = [];
const clis: CliProcess[] = [];
afterEach(async () => {
  for (const cli of clis.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  }
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

// One line with what the thread saw: the cache folder, whether the stripper was loaded, the env's keys.
const PROBE = `const seen: string[] = process.moduleLoadList.filter((m) => m.includes('amaro'));
const cache: string | undefined = process.getBuiltinModule('node:module').getCompileCacheDir();
console.log('probe cache=' + (cache ?? 'none') + ' stripper=' + (seen.length > 0 ? 'loaded' : 'no') + ' env=' + Object.keys(process.env).filter((k) => k.includes('COMPILE_CACHE')).join(',') + ' flags=' + process.execArgv.filter((a) => !a.includes('preload')).join(','));
const { parentPort } = await import('node:worker_threads');
const keep = setInterval(() => undefined, 60_000);
parentPort?.on('message', (m: { type?: string }) => { if (m?.type === 'stop') clearInterval(keep); });
`;

async function runOnce(file: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<string> {
  const cli = new CliProcess(['up', '-c', file, '--no-tui', '--no-watch'], { env, nodeFlags });
  clis.push(cli);
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
    dirs.push(cache);
    const topo = await writeTopology(`  probe:
    module: PROBE_FILE
    readiness: { log: { pattern: 'probe cache=' } }
`);
    dirs.push(topo.dir);
    const module = join(topo.dir, 'probe.ts');
    await writeFile(module, PROBE);
    const { readFile } = await import('node:fs/promises');
    await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace('PROBE_FILE', module));

    const cold = await runOnce(topo.file, { NODE_COMPILE_CACHE: cache });
    expect(cold).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=loaded env= flags=--require$`));
    // micro-dev's own Node flags reach the thread (--no-warnings), or are left out when a Worker refuses one
    // (--max-semi-space-size, as the launcher's shebang gives it): the cache works either way.
    const warm = await runOnce(topo.file, { NODE_COMPILE_CACHE: cache }, ['--no-warnings']);
    expect(warm).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=no env= flags=--no-warnings,--require$`));
    const refused = await runOnce(topo.file, { NODE_COMPILE_CACHE: cache }, ['--max-semi-space-size=4']);
    expect(refused).toMatch(new RegExp(`^probe cache=${cache}/v[^/ ]+ stripper=no env= flags=--require$`));
    const off = await runOnce(topo.file, { NODE_COMPILE_CACHE: cache, NODE_DISABLE_COMPILE_CACHE: '1' }, ['--no-warnings']);
    expect(off).toBe('probe cache=none stripper=loaded env= flags=--no-warnings');
  });
});
