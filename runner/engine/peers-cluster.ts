/**
 * Eureka peers (`registry.peers`) as a RegistryCluster, so the engine's registry-fault command splits them
 * the same way it splits an etcd cluster: their peer links are one per ordered pair (`registry/<from>/to-<to>`);
 * they have no client links of their own (each instance's `<instance>/registry` link leads to its member)
 * and run inside micro-dev, so they cannot be killed.
 */
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { MemberStatus, RegistryCluster } from '../registry/registry-cluster.ts';
import type { RegistryMember } from './registry-members.ts';

export function peersCluster(members: readonly RegistryMember[]): RegistryCluster {
  const names = members.map((m) => m.name);
  const member = (name: string) => {
    const m = members.find((x) => x.name === name);
    if (!m) throw new MicroDevError('BAD_ARGUMENTS', `no registry member named ${name} (members: ${names.join(', ')})`);
    return m;
  };
  const inProcess = () => {
    throw new MicroDevError('COMMAND_FAILED', 'Eureka peers run inside micro-dev and cannot be killed; registry-member-kill needs registry kind etcd');
  };
  return {
    kind: 'eureka-peers',
    names,
    clientAddress: (name) => member(name).faces.eureka ?? member(name).address,
    status: async (): Promise<MemberStatus[]> => names.map((name) => ({ name, role: 'peer' })),
    links: (name, side) => (side === 'clients' ? [] : [...new Set(member(name).peerLinks.map((l) => l.link))]),
    linksBetween: (a, b) => {
      const crosses = (from: string, to: string) => (a.includes(from) && b.includes(to)) || (b.includes(from) && a.includes(to));
      return [...new Set(members.flatMap((m) => m.peerLinks).filter((l) => crosses(l.from, l.to)).map((l) => l.link))];
    },
    kill: async () => inProcess(),
    start: async () => inProcess(),
  };
}
