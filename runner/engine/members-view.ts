/**
 * The dashboard's registry pane for a registry of several members (etcd): each member's role, links and
 * faults, and how many nodes are registered (every registered node is live: its key lives with its lease).
 */
import type { RegistryCluster } from '../registry/registry-cluster.ts';
import type { RegistryView } from './api.ts';

export async function membersView(
  members: RegistryCluster,
  registered: () => Promise<unknown[]>,
  faultsOf: (member: string) => string[],
  address: string,
): Promise<RegistryView> {
  const [status, nodes] = await Promise.all([members.status(), registered().catch(() => undefined)]);
  return {
    kind: 'etcd',
    semantics: 'etcd',
    address,
    passing: nodes?.length ?? 0,
    critical: 0,
    members: status.map((s) => ({
      name: s.name,
      role: s.role,
      ...(s.term !== undefined && Number.isFinite(s.term) ? { term: s.term } : {}),
      address: members.clientAddress(s.name),
      links: members.links(s.name, 'both'),
      faults: faultsOf(s.name),
    })),
  };
}
