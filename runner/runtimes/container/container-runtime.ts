/**
 * ContainerRuntime: runs instances as Docker containers on a network of their own per topology.
 *
 *   start(spec) ─┬─ image: base (host Node, built on first use) | docker build | given image
 *                ├─ network: TopologyNetwork (static IP per instance)  + HostRelay on its gateway
 *                ├─ env: loopback addresses -> gateway relays; server on 0.0.0.0:<port>, published on
 *                │        127.0.0.1:<port>; advertise 127.0.0.1:<port> (reach: published) | <ip>:<port> (network)
 *                └─ create (labels, init, bind mount) -> attach -> start -> ContainerInstance
 *
 * `mount` plan (no container.image / dockerfile): the project folder (nearest ancestor of the service's cwd
 * holding node_modules) is bind-mounted read-only at the same path, and `node <module>` or the service's
 * command runs in its cwd, so the same relative paths work inside and out.
 * Readiness is not awaited here; the engine applies its wait strategy to the returned instance.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { InstanceSpec, Runtime } from '../runtime.ts';
import { MicroDevError, isMicroDevError } from '../../errors/micro-dev-error.ts';
import { ensureBaseImage } from '../../images/base-image.ts';
import { ensureServiceImage, planServiceImage, slug, type ServiceImagePlan } from '../../images/prepare-images.ts';
import { connectDocker } from './docker-client.ts';
import { freePort } from './free-port.ts';
import { containerLabels, Labels, newSessionId, type SessionLabels } from './labels.ts';
import { loopbackPorts, serverPort, translateEnv } from './container-env.ts';
import { HostRelay } from './host-relay.ts';
import { TopologyNetwork } from './topology-network.ts';
import { ContainerInstance } from './container-instance.ts';
import { acquireReaper } from './reaper.ts';

export interface ContainerRuntimeOptions {
  /** Topology name: goes into labels, the network name and built image tags. */
  topology: string;
  /** Session id for labels (default: a new one); `sweep` removes what a dead session left behind. */
  session?: string;
  /** Folder to bind-mount for `mount` services (default: nearest ancestor of the service cwd with node_modules). */
  projectRoot?: string;
  /** Engine client (default: DOCKER_HOST or /var/run/docker.sock, pinged on first start). */
  docker?: Docker;
  /** Image build progress lines. */
  log?: (line: string) => void;
}

export class ContainerRuntime implements Runtime {
  readonly kind = 'container' as const;
  readonly session: string;
  private readonly options: ContainerRuntimeOptions;
  private readonly labels: SessionLabels;
  private docker: Promise<Docker> | undefined;
  private network: Promise<{ network: TopologyNetwork; relay: HostRelay }> | undefined;
  private baseTag: Promise<string> | undefined;
  private reaper: Promise<() => Promise<void>> | undefined;
  private readonly images = new Map<string, Promise<ServiceImagePlan>>();
  private readonly live = new Set<ContainerInstance>();

  constructor(options: ContainerRuntimeOptions) {
    this.options = options;
    this.session = options.session ?? newSessionId();
    this.labels = { session: this.session, topology: options.topology };
  }

  async start(spec: InstanceSpec, options: { signal: AbortSignal }): Promise<ContainerInstance> {
    const { instance, service } = spec;
    const signal = options.signal;
    const fail = (what: string, cause?: unknown): never => {
      const detail = cause instanceof Error ? `: ${cause.message}` : '';
      throw new MicroDevError('START_FAILED', `instance ${instance}: ${what}${detail}`, {
        cause,
        hints: isMicroDevError(cause) ? [...cause.hints] : [],
      });
    };
    const docker = await this.engine().catch((e) => fail('no Docker engine', e));
    // Before the first container: a reaper removes this session's containers if micro-dev dies.
    await this.watchedByReaper().catch((e) => fail('no container reaper', e));
    const plan = await this.imageFor(docker, service.name, service).catch((e) => fail('image not ready', e));
    const { network, relay } = await this.topologyNetwork(docker).catch((e) => fail('network not ready', e));
    if (signal.aborted) fail('start aborted', signal.reason);

    const relays = new Map<number, number>();
    for (const hostPort of loopbackPorts(spec.env)) {
      relays.set(hostPort, await relay.ensure(hostPort).catch((e) => fail(`no relay to 127.0.0.1:${hostPort} on ${network.gatewayIp}`, e)));
    }
    // Inside a container the server must bind 0.0.0.0 on a known port to be reachable at all, so every
    // instance gets one: the engine's (published on the same host port), the service's, or a free one.
    const port = serverPort(spec.env) || service.port || (await freePort());
    const ip = network.allocateIp();
    const reach = service.container?.reach ?? 'published';
    const advertise = reach === 'network' ? `${ip}:${port}` : `127.0.0.1:${port}`;
    const env = translateEnv(withoutHostPaths(spec.env), { gatewayIp: network.gatewayIp, relays, port, advertise });
    const aliases = [instance, service.name];
    let command: ReturnType<ContainerRuntime['commandFor']>;
    try {
      command = this.commandFor(plan, spec);
    } catch (e) {
      network.releaseIp(ip);
      throw e;
    }

    let container: Docker.Container | undefined;
    try {
      container = await docker.createContainer({
        name: `micro-dev-${slug(this.options.topology)}-${slug(instance)}-${randomBytes(2).toString('hex')}`,
        Image: plan.image,
        ...command,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: containerLabels(this.labels, instance, service.name),
        ExposedPorts: { [`${port}/tcp`]: {} },
        StopTimeout: Math.ceil(service.stopTimeoutMs / 1000),
        HostConfig: {
          Init: true,
          NetworkMode: network.name,
          Binds: plan.mode === 'mount' ? this.bindsFor(spec) : [],
          PortBindings: { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        },
        NetworkingConfig: { EndpointsConfig: { [network.name]: network.endpoint(ip, aliases) } },
      });
      signal.throwIfAborted();
      const output = await container.attach({ stream: true, stdout: true, stderr: true });
      await container.start();
      const started = new ContainerInstance({
        docker, container, instance, network, ip, aliases, output,
        address: `127.0.0.1:${port}`,
      });
      started.closeReplayWindow();
      this.live.add(started);
      void started.exited.then(() => this.live.delete(started));
      if (signal.aborted) {
        await started.stop(0);
        signal.throwIfAborted();
      }
      return started;
    } catch (e) {
      network.releaseIp(ip);
      await container?.remove({ force: true }).catch(() => {});
      if (signal.aborted) fail('start aborted', signal.reason);
      return fail(`container did not start from image ${plan.image}`, e);
    }
  }

  /** Kills what is still running of this session, removes its network and stops the host relays. */
  async close(): Promise<void> {
    await Promise.all([...this.live].map((i) => i.stop(0)));
    if (this.network) {
      const { network, relay } = await this.network.catch(() => ({ network: undefined, relay: undefined }));
      await relay?.close();
      if (network && this.docker) {
        const docker = await this.docker;
        const leftovers = await docker.listContainers({ all: true, filters: { label: [`${Labels.session}=${this.session}`] } });
        await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
        await network.remove().catch(() => {});
      }
      this.network = undefined;
    }
    const release = await this.reaper?.catch(() => undefined);
    this.reaper = undefined;
    await release?.();
  }

  private watchedByReaper(): Promise<() => Promise<void>> {
    this.reaper ??= acquireReaper(this.session);
    this.reaper.catch(() => (this.reaper = undefined));
    return this.reaper;
  }

  private engine(): Promise<Docker> {
    this.docker ??= this.options.docker ? Promise.resolve(this.options.docker) : connectDocker();
    this.docker.catch(() => (this.docker = undefined));
    return this.docker;
  }

  private topologyNetwork(docker: Docker): Promise<{ network: TopologyNetwork; relay: HostRelay }> {
    this.network ??= TopologyNetwork.create(docker, this.labels).then((network) => ({
      network,
      relay: new HostRelay(network.gatewayIp),
    }));
    this.network.catch(() => (this.network = undefined));
    return this.network;
  }

  private imageFor(docker: Docker, name: string, service: InstanceSpec['service']): Promise<ServiceImagePlan> {
    let plan = this.images.get(name);
    if (!plan) {
      this.baseTag ??= ensureBaseImage(docker, { log: this.options.log }).then((b) => b.tag);
      plan = this.baseTag.then(async (tag) => {
        const p = planServiceImage(service, this.options.topology, tag);
        await ensureServiceImage(docker, name, p, { rebuild: false, log: this.options.log });
        return p;
      });
      this.images.set(name, plan);
      plan.catch(() => this.images.delete(name));
    }
    return plan;
  }

  private commandFor(plan: ServiceImagePlan, spec: InstanceSpec): { Cmd?: string[]; WorkingDir?: string } {
    const { service } = spec;
    if (plan.mode !== 'mount') return service.command ? { Cmd: service.command } : {};
    const cmd = service.command ?? (service.module ? ['node', service.module] : undefined);
    if (!cmd) {
      throw new MicroDevError('START_FAILED', `instance ${spec.instance}: service ${service.name} has runtime container but no module, command, container.image or container.dockerfile`);
    }
    return { Cmd: cmd, WorkingDir: service.cwd };
  }

  private bindsFor(spec: InstanceSpec): string[] {
    const root = this.options.projectRoot ?? projectRootOf(spec.service.cwd);
    const binds = new Set([`${root}:${root}:ro`]);
    const module = spec.service.module ? resolve(spec.service.cwd, spec.service.module) : undefined;
    if (module && !module.startsWith(root + '/')) binds.add(`${dirname(module)}:${dirname(module)}:ro`);
    if (!spec.service.cwd.startsWith(root)) binds.add(`${spec.service.cwd}:${spec.service.cwd}:ro`);
    return [...binds];
  }
}

/** The host's PATH and HOME mean nothing inside an image: drop them when inherited so the image's ENV applies. */
function withoutHostPaths(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const key of ['PATH', 'HOME']) if (out[key] !== undefined && out[key] === process.env[key]) delete out[key];
  return out;
}

/** Nearest ancestor (or self) holding node_modules, so imports of dependencies resolve inside the container. */
export function projectRootOf(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules'))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}
