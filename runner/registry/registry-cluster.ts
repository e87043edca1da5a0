/**
 * RegistryCluster: a registry that runs as several members (an etcd cluster; Eureka peers can plug in the
 * same way), as registry faults see it: who the members are, what role each has now, and which fault-plane
 * links carry what each member receives and sends.
 *
 *   registry-partition  links(member, side) / linksBetween(a, b)  --down toxics-->  the member is cut off
 *   registry-member-kill  kill(member) ... start(member)
 *   registry-member-slow  links(member, 'both')  --latency toxics-->
 */
export type MemberRole = 'leader' | 'follower' | 'no-leader' | 'peer' | 'down';

export interface MemberStatus {
  name: string;
  /** leader / follower for a consensus cluster (no-leader: it answers but knows no leader); peer for AP peers. */
  role: MemberRole;
  /** Raft term (consensus clusters), to tell two leaders of one term (split brain) from a stale one. */
  term?: number;
}

export interface RegistryCluster {
  /** `etcd` or the peer kind. */
  readonly kind: string;
  readonly names: string[];
  /** What clients dial for each member (its client link), by name. */
  clientAddress(name: string): string;
  status(): Promise<MemberStatus[]>;
  /** Links that carry what `name` receives from its clients / its peers (and sends to its peers), or both. */
  links(name: string, side: 'peers' | 'clients' | 'both'): string[];
  /** Peer links between two groups of members, both directions. */
  linksBetween(a: readonly string[], b: readonly string[]): string[];
  kill(name: string): Promise<void>;
  start(name: string): Promise<void>;
}
