/**
 * The restart policy on real worker threads: a crashing instance is restarted with backoff until
 * max_restarts, then reported failed; `no` never restarts; a graceful stop never restarts.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { InstanceSupervisor } from '../../runner/engine/instance-supervisor.ts';
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

function supervise(config: ServiceConfig) {
  const states: string[] = [];
  let last: InstanceView | undefined;
  const supervisor = new InstanceSupervisor('fixture-1', config, {
    runtime: new WorkerRuntime(),
    clock: new SystemClock(),
    env: async () => ({ env: {}, serverId: 'x', serverAddress: '127.0.0.1:0' }),
    activate: () => undefined,
    readiness: (instance, serverId, signal) =>
      waitFor(config.readiness).wait({ instance, serverId, registryAddress: '127.0.0.1:1', host: '127.0.0.1' }, { signal }),
    report: (view) => {
      last = view;
      if (states.at(-1) !== view.state) states.push(view.state);
    },
    log: () => undefined,
  });
  return { supervisor, states, view: () => last };
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
