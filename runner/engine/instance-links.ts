/**
 * InstanceLinks: the three fault-plane links of one instance, so a fault can target who talks to whom
 * without root, iptables or containers.
 *
 *   callers ──> <instance>/inbound ──> instance        (the instance advertises the inbound link's address)
 *   instance ──> <instance>/registry ──> registry       (heartbeats, lookups)
 *   instance ──> <instance>/proxy ──> proxy ──> other services
 *
 * With an etcd cluster of several members the instance has one registry link per member: `<instance>/registry`
 * to the first, `<instance>/etcd-N/registry` to the others (all of them count as "the registry link" below).
 *
 * Instance faults are named toxics on those links: partition = `down` on all three, heartbeat-loss = `down`
 * on the registry link, latency = `latency` on the inbound link. The links outlive restarts: a new start
 * only moves the inbound link's upstream to the new server port.
 */
import type { FaultPlane } from '../faults/fault-plane.ts';
import type { Link } from '../faults/link.ts';
import { findListenPort } from '../net/find-listen-port.ts';
import { newUnixSocketName, servesUnixSocket } from '../net/unix-socket-names.ts';

export type InstanceFault = 'partition' | 'heartbeat-loss' | 'latency';

export const instanceLinkName = (instance: string, kind: 'inbound' | 'registry' | 'proxy') => `${instance}/${kind}`;

/** The registry link of `owner` (an instance, or `infra`) to the i-th registry member; the first is `<owner>/registry`. */
export const registryLinkName = (owner: string, i: number, member?: string) => (i === 0 || !member ? `${owner}/registry` : `${owner}/${member}/registry`);

export class InstanceLinks {
  readonly instance: string;
  readonly #plane: FaultPlane;
  readonly inbound: Link;
  readonly registry: Link;
  readonly proxy: Link;
  /** Registry links to the other members of a registry cluster (etcd), beside `registry` (the first). */
  readonly moreRegistry: Link[];
  readonly #active = new Set<InstanceFault>();
  /** The instance's hops may use Unix sockets (a worker or a process on Linux; unix-socket-names.ts). */
  readonly #unixSockets: boolean;
  /** The server socket an instance was last seen serving on (servesUnixSocket), so a reload aims at it at once. */
  #servedSocket: string | undefined;

  private constructor(instance: string, plane: FaultPlane, links: { inbound: Link; registry: Link; proxy: Link; moreRegistry: Link[] }, unixSockets: boolean) {
    this.instance = instance;
    this.#plane = plane;
    this.#unixSockets = unixSockets;
    this.inbound = links.inbound;
    this.registry = links.registry;
    this.proxy = links.proxy;
    this.moreRegistry = links.moreRegistry;
  }

  /**
   * `registry`: the registry's address, or (a registry cluster) one address per member, with `members`
   * naming them for the extra links.
   *
   * `unixSockets`: the proxy link, and the registry link when the instance speaks HTTP to the registry
   * (`registryUnix`: not etcd's gRPC), also listen on a Unix socket (MICRO_DEV_SOCKETS tells the instance,
   * `linkSockets`), and each start gets a server socket name (MICRO_DEV_SERVER_SOCKET) the inbound link
   * dials once the instance is seen serving on it (useServerSocket).
   */
  static async open(
    plane: FaultPlane,
    instance: string,
    to: { registry: string | string[]; members?: string[]; proxy: string; unixSockets?: boolean; registryUnix?: boolean },
  ): Promise<InstanceLinks> {
    const upstreams = typeof to.registry === 'string' ? [to.registry] : to.registry;
    // The inbound upstream is set for real on each start (serverAddress()); park it on the registry meanwhile.
    const inbound = await plane.createLink({ name: instanceLinkName(instance, 'inbound'), upstream: upstreams[0]! });
    const registry = await plane.createLink({
      name: instanceLinkName(instance, 'registry'),
      upstream: upstreams[0]!,
      ...(to.unixSockets && to.registryUnix ? { unix: newUnixSocketName() } : {}),
    });
    const moreRegistry: Link[] = [];
    for (let i = 1; i < upstreams.length; i++) {
      moreRegistry.push(await plane.createLink({ name: registryLinkName(instance, i, to.members?.[i] ?? `member-${i + 1}`), upstream: upstreams[i]! }));
    }
    const proxy = await plane.createLink({ name: instanceLinkName(instance, 'proxy'), upstream: to.proxy, ...(to.unixSockets ? { unix: newUnixSocketName() } : {}) });
    return new InstanceLinks(instance, plane, { inbound, registry, proxy, moreRegistry }, to.unixSockets === true);
  }

  /** host:port and Unix socket of each link of the instance's that listens on both (MICRO_DEV_SOCKETS). */
  get linkSockets(): [address: string, socket: string][] {
    return [this.proxy, this.registry].filter((l) => l.unix !== undefined).map((l) => [l.listen, l.unix!]);
  }

  /** What the instance dials for the registry: its registry link(s), comma separated. */
  get registryAddress(): string {
    return [this.registry, ...this.moreRegistry].map((l) => l.listen).join(',');
  }

  /** Removes the links (live connections through them close). */
  async close(): Promise<void> {
    for (const link of [this.inbound, this.registry, ...this.moreRegistry, this.proxy]) await this.#plane.removeLink(link.name);
  }

  /** A fresh server address for the next start (a fixed port when configured). */
  async serverAddress(fixedPort: number): Promise<string> {
    const port = fixedPort === 0 ? await findListenPort('127.0.0.1') : fixedPort;
    return `127.0.0.1:${port}`;
  }

  /** A fresh Unix socket name for the next start's server, when this instance's hops use them. */
  newServerSocket(): string | undefined {
    return this.#unixSockets ? newUnixSocketName() : undefined;
  }

  /**
   * Callers' new connections go to `address` from now on (live connections stay where they are), over
   * `socket` when the instance was already seen serving there (a reload: useServerSocket ran at its readiness).
   */
  aim(address: string, socket?: string): void {
    this.inbound.setUpstream(address, socket !== undefined && socket === this.#servedSocket ? socket : undefined);
  }

  /**
   * Once an instance is ready: when it accepts connections on `socket` (the kit does, services without it
   * do not), the inbound link's new connections to `address` go there instead of the TCP port. Returns
   * whether it does.
   */
  async useServerSocket(address: string, socket: string): Promise<boolean> {
    if (!(await servesUnixSocket(socket))) return false;
    this.#servedSocket = socket;
    if (this.inbound.upstream === address) this.inbound.setUpstream(address, socket);
    return true;
  }

  get active(): InstanceFault[] {
    return [...this.#active].sort();
  }

  /** Puts a fault on (or takes it off) whatever its state; returns whether that changed anything. */
  set(fault: InstanceFault, on: boolean): boolean {
    if (this.#active.has(fault) === on) return false;
    if (on) {
      this.#apply(fault);
      this.#active.add(fault);
    } else {
      this.#clear(fault);
      this.#active.delete(fault);
    }
    return true;
  }

  #links(fault: InstanceFault): Link[] {
    if (fault === 'partition') return [this.inbound, this.registry, ...this.moreRegistry, this.proxy];
    if (fault === 'heartbeat-loss') return [this.registry, ...this.moreRegistry];
    return [this.inbound];
  }

  #apply(fault: InstanceFault): void {
    for (const link of this.#links(fault)) {
      if (fault === 'latency') {
        this.#plane.addToxic(link.name, { type: 'latency', name: `ui-${fault}`, stream: 'downstream', attributes: { latency: 300, jitter: 50 } });
      } else {
        for (const stream of ['upstream', 'downstream'] as const) {
          this.#plane.addToxic(link.name, { type: 'down', name: `ui-${fault}-${stream}`, stream });
        }
      }
    }
  }

  #clear(fault: InstanceFault): void {
    for (const link of this.#links(fault)) {
      for (const name of [`ui-${fault}`, `ui-${fault}-upstream`, `ui-${fault}-downstream`]) {
        this.#plane.removeToxic(link.name, name, { ifPresent: true });
      }
    }
  }
}
