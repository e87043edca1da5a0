/**
 * startEurekaPeers: `registry.peers` embedded registries (each a whole registry: Consul API, Eureka face,
 * its own lease model and self-preservation, its own ports) that replicate client writes to each other the
 * way Eureka's PeerEurekaNodes do (eureka-peer.ts, peer-node.ts).
 *
 *   member eureka-1 (ports of registry.port / registry.eureka.port)  ──┐ every ordered pair has its own
 *   member eureka-2 (free ports)                                       ├─ route: `route(from, to, address)`
 *   member eureka-3 (free ports)                                     ──┘ (under `up`: a fault-plane link)
 *
 * Resolves once every member listens and every route exists; on failure stops what it started.
 */
import type { Clock } from '../../clock/clock.ts';
import { ScaledClock, SystemClock } from '../../clock/clock.ts';
import type { RegistryConfig } from '../../config/topology.ts';
import { ErrorCodes, MicroDevError } from '../../errors/micro-dev-error.ts';
import { startRegistry, type StartedRegistry } from '../start-registry.ts';
import { EurekaPeer } from './eureka-peer.ts';
import { DEFAULT_PEER_NODE_OPTIONS, PeerNode, type PeerNodeOptions } from './peer-node.ts';

export interface PeerMember {
  /** eureka-1, eureka-2, ... */
  name: string;
  registry: StartedRegistry;
  peer: EurekaPeer;
  /** host:port of its Eureka face (what peers and Eureka clients talk to). */
  eurekaAddress: string;
}

export interface StartedEurekaPeers {
  members: PeerMember[];
  stop(): Promise<void>;
}

export interface EurekaPeersOptions {
  clock?: Clock;
  onWarning?: (message: string) => void;
  /** The address member `from` sends its batches to for member `to` (default: `to`'s own address). */
  route?: (from: string, to: string, address: string) => Promise<string>;
  /** Replication tuning (model time); defaults are Eureka's. */
  replication?: Partial<Omit<PeerNodeOptions, 'timeScale'>>;
}

export const peerMemberName = (i: number): string => `eureka-${i + 1}`;

export async function startEurekaPeers(
  config: Pick<RegistryConfig, 'host' | 'port'> & Partial<RegistryConfig>,
  options: EurekaPeersOptions = {},
): Promise<StartedEurekaPeers> {
  const count = config.peers ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new MicroDevError(ErrorCodes.CONFIG_INVALID, `registry.peers must be a whole number >= 1, got ${count}`);
  if (config.persist) throw new MicroDevError(ErrorCodes.CONFIG_INVALID, 'registry.persist cannot be combined with registry.peers');
  const wall = options.clock ?? new SystemClock();
  const timeScale = config.timeScale ?? 1;
  const members: PeerMember[] = [];
  const stop = async () => {
    for (const m of members) m.peer.stop();
    await Promise.all(members.map((m) => m.registry.stop()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const first = i === 0;
      // Every member serves the Eureka face (peers talk through it); only the first keeps a port asked for.
      const facePort = first && config.eureka?.serve ? (config.eureka.port ?? 8761) : 0;
      const eureka = { doubleExpiryQuirk: true, selfPreservation: true, ...config.eureka, serve: true, port: facePort };
      const nacos = config.nacos && { ...config.nacos, port: first ? config.nacos.port : 0 };
      const registry = await startRegistry(
        { ...config, port: first ? config.port : 0, eureka, ...(nacos ? { nacos } : {}), ...(first ? {} : { node: `${config.node ?? 'micro-dev'}-${i + 1}` }) },
        { clock: wall, ...(options.onWarning ? { onWarning: options.onWarning } : {}) },
      );
      const name = peerMemberName(i);
      const peer = new EurekaPeer(name, registry.core, registry.eurekaFace!);
      members.push({ name, registry, peer, eurekaAddress: new URL(registry.eurekaUrl!).host });
    }
    const leaseClock = timeScale === 1 ? wall : new ScaledClock(wall, timeScale);
    const tuning: PeerNodeOptions = { ...DEFAULT_PEER_NODE_OPTIONS, ...options.replication, timeScale };
    for (const from of members) {
      for (const to of members) {
        if (to === from) continue;
        const address = options.route ? await options.route(from.name, to.name, to.eurekaAddress) : to.eurekaAddress;
        const node: PeerNode = new PeerNode(to.name, address, leaseClock, tuning, (item, status) => from.peer.onPeerFailure(node, item, status));
        from.peer.addNode(node);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return { members, stop: () => (stopped ??= stop()) };
}
