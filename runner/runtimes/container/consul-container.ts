/**
 * startConsulContainer: a real Consul agent (`-dev`, single node) in a container, for
 * `registry: {kind: consul, mode: container}`. Its HTTP API is published on 127.0.0.1:<port>; instances in
 * containers reach it like any other host address (ContainerRuntime relays loopback ports).
 *
 * Nothing is pulled: the image must already be in the local engine (`docker load`, or a pull where a
 * registry is reachable). Resolves once GET /v1/status/leader names a leader.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { inspectImageLabels } from '../../images/base-image.ts';
import { connectDocker } from './docker-client.ts';
import { freePort } from './free-port.ts';
import { Labels, newSessionId } from './labels.ts';
import { acquireReaper } from './reaper.ts';

export const DEFAULT_CONSUL_IMAGE = 'hashicorp/consul:1.17';

export interface ConsulContainerOptions {
  image?: string;
  /** Host port for the HTTP API on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Agent arguments (default: a dev agent listening on every container interface). */
  command?: string[];
  /** How long to wait for a leader, milliseconds (default 30000). */
  readyTimeoutMs?: number;
  session?: string;
  topology?: string;
  docker?: Docker;
  signal?: AbortSignal;
}

/** A running Consul container. stop() removes it; idempotent; the caller owns calling it. */
export interface StartedConsul {
  /** `127.0.0.1:<port>` of the HTTP API. */
  readonly address: string;
  readonly containerId: string;
  stop(): Promise<void>;
}

export async function startConsulContainer(options: ConsulContainerOptions = {}): Promise<StartedConsul> {
  const image = options.image ?? DEFAULT_CONSUL_IMAGE;
  const docker = options.docker ?? (await connectDocker());
  if ((await inspectImageLabels(docker, image)) === undefined) {
    throw new MicroDevError(
      'START_FAILED',
      `image ${image} not found locally and no registry is reachable to pull it (micro-dev never pulls)`,
      {
        hints: [
          `where a registry is reachable: docker pull ${image}`,
          `elsewhere: docker save ${image} > consul.tar on a machine that has it, then docker load -i consul.tar here`,
          'or use the embedded registry: registry: {kind: embedded}',
        ],
      },
    );
  }
  const port = options.port || (await freePort());
  const session = options.session ?? newSessionId();
  // Before the container exists: a reaper removes it if micro-dev dies without stopping it.
  const release = await acquireReaper(session);
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      name: `micro-dev-consul-${randomBytes(3).toString('hex')}`,
      Image: image,
      Cmd: options.command ?? ['agent', '-dev', '-client', '0.0.0.0', '-log-level', 'warn'],
      Labels: {
        [Labels.session]: session,
        [Labels.topology]: options.topology ?? 'consul',
        [Labels.instance]: 'consul',
        [Labels.pid]: String(process.pid),
      },
      ExposedPorts: { '8500/tcp': {} },
      HostConfig: { Init: true, PortBindings: { '8500/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
    });
  } catch (e) {
    await release();
    throw e;
  }
  const remove = () =>
    container
      .remove({ force: true })
      .catch(() => {})
      .then(release);
  try {
    await container.start();
    await waitForLeader(`127.0.0.1:${port}`, options.readyTimeoutMs ?? 30_000, options.signal);
  } catch (e) {
    await remove();
    if (e instanceof MicroDevError) throw e;
    throw new MicroDevError('START_FAILED', `Consul container from ${image} did not start: ${(e as Error).message}`, { cause: e });
  }
  let stopped: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${port}`,
    containerId: container.id,
    stop: () => (stopped ??= remove().then(() => {})),
  };
}

async function waitForLeader(address: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    try {
      const res = await fetch(`http://${address}/v1/status/leader`, { signal: AbortSignal.timeout(1000) });
      const leader = (await res.json()) as unknown;
      if (res.ok && typeof leader === 'string' && leader !== '') return;
      last = `leader ${JSON.stringify(leader)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new MicroDevError('NOT_READY', `Consul at ${address} elected no leader within ${timeoutMs}ms (${last})`);
}
