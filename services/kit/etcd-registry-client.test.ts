/**
 * A closed EtcdRegistryClient lets its process go, even after its watch could not reach etcd for a while
 * (`micro-dev compare` was held by four of them after an etcd drill: the gateway's, the proxy's... watches,
 * reconnected by etcd3 on timers of up to 30 s, forever while a watcher stayed attached).
 *
 * A child process watches through the client with nothing listening at the address until etcd3 has scheduled
 * a few reconnects (counted from its own setTimeout calls), then ends the wait (the NodeCache's abort) and
 * closes the client. Then the check the CLI makes once a command is done: if anything still holds the process
 * 2 s later (an unref'd timer fires), it says HELD and what; otherwise the process exits on its own.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const RECONNECTS = 8;

function child(port: number): string {
  return `
import { EtcdRegistryClient } from ${JSON.stringify(new URL('./etcd-registry-client.ts', import.meta.url).href)};
const realSetTimeout = globalThis.setTimeout;
let reconnects = 0;
globalThis.setTimeout = function (fn, ms, ...args) {
  if (/etcd3[\\\\/]lib[\\\\/]watch\\.js/.test(new Error().stack ?? '')) reconnects++;
  return realSetTimeout(fn, ms, ...args);
};
const client = new EtcdRegistryClient('127.0.0.1:${port}');
const stop = new AbortController();
const watching = client.getService('go.micro.srv.greeter', { index: 1, waitMs: 60000, signal: stop.signal }).then(() => 'answered', (e) => 'ended: ' + e.message);
const deadline = Date.now() + 30000;
while (reconnects < ${RECONNECTS}) {
  if (Date.now() > deadline) { console.log('only ' + reconnects + ' reconnects in 30 s'); process.exit(3); }
  await new Promise((r) => realSetTimeout(r, 20));
}
stop.abort(new Error('cache closed'));
await client.close();
console.log('watch ' + (await watching) + ' after ' + reconnects + ' reconnects');
realSetTimeout(() => {
  console.log('HELD ' + process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap').join(', '));
  process.exit(1);
}, 2000).unref();
`;
}

describe('EtcdRegistryClient.close()', () => {
  it('lets the process exit after a watch that could not reach etcd (no etcd3 reconnect left holding it)', async () => {
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child(await deadPort())], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    proc.stdout.on('data', (d) => (output += d));
    proc.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => proc.once('close', resolve));
    expect(output).not.toContain('HELD');
    expect(output).toMatch(/^watch ended: cache closed after \d+ reconnects$/m);
    expect(code, output).toBe(0);
  }, 60_000);
});
