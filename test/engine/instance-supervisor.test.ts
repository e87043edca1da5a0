/**
 * The restart policy on real worker threads: a crashing instance is restarted with backoff until
 * max_restarts, then reported failed; `no` never restarts; a graceful stop never restarts. A drawn port
 * another process took before the instance bound it is drawn again, at once; a fixed one is not.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:net';
import { ADDRESS_IN_USE, InstanceSupervisor, PORT_CLASH_RETRIES } from '../../runner/engine/instance-supervisor.ts';
import { WorkerRuntime } from '../../runner/runtimes/worker/worker-runtime.ts';
import { SystemClock } from '../../runner/clock/clock.ts';
import { waitFor } from '../../runner/runtimes/wait/wait-for.ts';
import type { ServiceConfig, RestartConfig } from '../../runner/config/topology.ts';
import type { InstanceView } from '../../runner/engine/api.ts';
import { eventually } from '../support/cli-process.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

function service(module: string, restart: Partial<RestartConfig>): ServiceConfig {
  return {
    name: 'fixture',
    tier: 'other',
    runtime: 'worker',
    module,
    cwd: process.cwd(),
    env: {},
    replicas: 1,
    port: 0,
    dependsOn: [],
    readiness: { kind: 'log', pattern: 'fixture up', timeoutMs: 5000 },
    restart: { policy: 'on-failure', maxRestarts: 2, backoffMs: 20, backoffMaxMs: 100, ...restart },
    stopTimeoutMs: 2000,
  };
}

type Prepared = { env: Record<string, string>; serverId: string; serverAddress: string; portDrawn?: boolean };

function supervise(config: ServiceConfig, env: () => Promise<Prepared> = async () => ({ env: {}, serverId: 'x', serverAddress: '127.0.0.1:0' })) {
  const states: string[] = [];
  const messages: string[] = [];
  let last: InstanceView | undefined;
  const supervisor = new InstanceSupervisor('fixture-1', config, {
    runtime: new WorkerRuntime(),
    clock: new SystemClock(),
    env,
    activate: () => undefined,
    readiness: (instance, serverId, signal) =>
      waitFor(config.readiness).wait({ instance, serverId, registryAddress: '127.0.0.1:1', host: '127.0.0.1' }, { signal }),
    report: (view, message) => {
      last = view;
      if (message) messages.push(message);
      if (states.at(-1) !== view.state) states.push(view.state);
    },
    log: () => undefined,
  });
  return { supervisor, states, messages, view: () => last };
}

describe('InstanceSupervisor restart policy', () => {
  it('restarts a crashing instance with backoff, then gives up after max_restarts', async () => {
    const { supervisor, states, view } = supervise(service(fixture('crash-after-ready'), { maxRestarts: 2 }));
    await supervisor.start();
    await eventually(async () => view()?.state === 'failed', 10_000, 'the instance to be marked failed');
    expect(states).toEqual([
      'starting', 'ready', 'crashed', 'backoff',
      'starting', 'ready', 'crashed', 'backoff',
      'starting', 'ready', 'failed',
    ]);
    expect(view()?.restarts).toBe(2);
    expect(view()?.lastError).toContain('exited with code 3');
  });

  it('does not restart with policy no', async () => {
    const { supervisor, states, view } = supervise(service(fixture('crash-after-ready'), { policy: 'no' }));
    await supervisor.start();
    await eventually(async () => view()?.state === 'failed', 5000, 'the instance to be marked failed');
    expect(states).toEqual(['starting', 'ready', 'failed']);
    expect(view()?.restarts).toBe(0);
  });

  it('does not restart after a requested stop', async () => {
    const { supervisor, states } = supervise(service(fixture('stay-up'), { policy: 'always' }));
    await supervisor.start();
    await supervisor.stop();
    expect(states).toEqual(['starting', 'ready', 'stopping', 'stopped']);
    expect(supervisor.started).toBeUndefined();
  });
});

/** A port held by another "process" (a listener of this test) for the test's length. */
async function heldPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

async function freePort(): Promise<number> {
  const { port, server } = await heldPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A supervised instance that binds MICRO_SERVER_ADDRESS, handed `ports` one start after the other. */
function supervisedBinder(ports: number[], portDrawn: boolean) {
  const handedOut: number[] = [];
  const supervised = supervise(service(fixture('bind-server-address'), { maxRestarts: 0 }), async () => {
    const port = ports.shift()!;
    handedOut.push(port);
    return { env: { MICRO_SERVER_ADDRESS: `127.0.0.1:${port}` }, serverId: 'x', serverAddress: `127.0.0.1:${port}`, portDrawn };
  });
  return { ...supervised, handedOut };
}

describe('InstanceSupervisor and a port taken before the instance bound it', () => {
  it('knows the bind error as each language words it, and nothing else', () => {
    for (const line of [
      'Error: listen EADDRINUSE: address already in use 127.0.0.1:12345',
      'OSError: [Errno 98] Address already in use',
      'listen tcp 127.0.0.1:12345: bind: address already in use',
      'Exception in thread "main" java.net.BindException: Address already in use',
      'Error: Os { code: 98, kind: AddrInUse, message: "Address already in use" }',
    ]) expect(ADDRESS_IN_USE.test(line), line).toBe(true);
    for (const line of ['Error: connect ECONNREFUSED 127.0.0.1:8500', 'OSError: [Errno 99] Cannot assign requested address', 'address 127.0.0.1:12345 in use by orders-1']) {
      expect(ADDRESS_IN_USE.test(line), line).toBe(false);
    }
  });

  it('draws a fresh port and starts again at once, without a restart, when the drawn one was taken', async () => {
    const held = await heldPort();
    const free = await freePort();
    const { supervisor, states, messages, view, handedOut } = supervisedBinder([held.port, free], true);
    try {
      await supervisor.start();
      expect(handedOut).toEqual([held.port, free]);
      expect(view()?.state).toBe('ready');
      expect(view()?.restarts).toBe(0);
      expect(states).toEqual(['starting', 'ready']);
      expect(messages).toContain(`port ${held.port} was taken by another process before the instance bound it; starting again on a fresh port`);
      const answer = await fetch(`http://127.0.0.1:${free}/`);
      expect(await answer.text()).toBe('ok');
    } finally {
      await supervisor.stop();
      held.server.close();
    }
  });

  it('a reload whose drawn port was taken starts the new version again on a fresh one, and it serves', async () => {
    const held = await heldPort();
    const { supervisor, messages, view, handedOut } = supervisedBinder([await freePort(), held.port, await freePort()], true);
    try {
      await supervisor.start();
      expect(await supervisor.replace()).toBe(true);
      expect(handedOut).toHaveLength(3);
      expect(handedOut[1]).toBe(held.port);
      expect(view()?.state).toBe('ready');
      expect(messages).toContain(`reload: port ${held.port} was taken by another process before the instance bound it; starting again on a fresh port`);
      expect(messages.at(-1)).toMatch(/^reloaded: new version ready/);
      const answer = await fetch(`http://127.0.0.1:${handedOut[2]}/`);
      expect(await answer.text()).toBe('ok');
    } finally {
      await supervisor.stop();
      held.server.close();
    }
  });

  for (const [title, portDrawn, error, starts] of [
    ["fails the start with the bind error when the port is the topology's own (not drawn)", false, /before it was ready: .*EADDRINUSE/, 1],
    ['gives up after PORT_CLASH_RETRIES fresh ports, all taken, with the bind error', true, /EADDRINUSE/, 1 + PORT_CLASH_RETRIES],
  ] as const) {
    it(title, async () => {
      const held = await heldPort();
      const { supervisor, view, handedOut } = supervisedBinder(Array.from({ length: 10 }, () => held.port), portDrawn);
      try {
        await expect(supervisor.start()).rejects.toThrow(error);
        expect(handedOut).toHaveLength(starts);
        expect(view()?.state).toBe('failed');
      } finally {
        await supervisor.stop();
        held.server.close();
      }
    });
  }
});
