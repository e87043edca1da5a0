/**
 * Registry members: the registry as several machines (`registry.peers` Eureka peers), each with its own
 * ports and its own fault-plane links, so a fault can split them.
 *
 *   eureka-1 ──registry/eureka-1/to-eureka-2──> eureka-2      one link per ordered pair: a split 2|1 is
 *   eureka-1 <──registry/eureka-2/to-eureka-1── eureka-2      `down` on every link that crosses it
 *
 * Instances are spread over the members by replica number (replica i of every service -> member (i-1) mod n),
 * so a drill can name who sits where: each registers, renews and looks up on its member (`memberFor`).
 */
import type { Clock } from '../clock/clock.ts';
import type { Topology } from '../config/topology.ts';
import type { FaultPlane } from '../faults/fault-plane.ts';
import { startEurekaPeers, type StartedEurekaPeers } from '../registry/peers/start-eureka-peers.ts';
import type { RegistryStatus } from '../registry/registry-types.ts';
import type { StartedRegistry } from '../registry/start-registry.ts';

export interface RegistryMember {
  /** eureka-1, eureka-2, ... */
  name: string;
  /** host:port of its Consul API (read directly, never through a link). */
  address: string;
  /** host:port of its wire faces. */
  faces: { eureka?: string; nacos?: string };
  /** The links that carry its traffic with the other members, both directions. */
  peerLinks: { from: string; to: string; link: string }[];
  status(): RegistryStatus;
  registry: StartedRegistry;
}

export const peerLinkName = (from: string, to: string): string => `registry/${from}/to-${to}`;

export async function startRegistryMembers(
  topology: Topology,
  plane: FaultPlane,
  deps: { clock: Clock; onWarning: (message: string) => void },
): Promise<{ members: RegistryMember[]; stop(): Promise<void> }> {
  const faceServed = (face: 'eureka' | 'nacos') => topology.services.some((s) => s.registry === face);
  const config = {
    ...topology.registry,
    nacos: { ...topology.registry.nacos, serve: topology.registry.nacos.serve || faceServed('nacos') },
  };
  const peers: StartedEurekaPeers = await startEurekaPeers(config, {
    clock: deps.clock,
    onWarning: deps.onWarning,
    route: async (from, to, address) => (await plane.createLink({ name: peerLinkName(from, to), upstream: address })).listen,
  });
  const names = peers.members.map((m) => m.name);
  const members = peers.members.map((m): RegistryMember => ({
    name: m.name,
    address: m.registry.address,
    faces: { eureka: m.eurekaAddress, ...(m.registry.nacosUrl ? { nacos: new URL(m.registry.nacosUrl).host } : {}) },
    peerLinks: names.filter((n) => n !== m.name).flatMap((n) => [
      { from: m.name, to: n, link: peerLinkName(m.name, n) },
      { from: n, to: m.name, link: peerLinkName(n, m.name) },
    ]),
    status: () => m.registry.status(),
    registry: m.registry,
  }));
  return { members, stop: () => peers.stop() };
}

/** The member an instance talks to: replica i of every service -> member (i - 1) mod n. */
export function memberFor(members: readonly RegistryMember[], replica: number): RegistryMember | undefined {
  return members.length === 0 ? undefined : members[(replica - 1) % members.length];
}
