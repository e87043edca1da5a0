/**
 * setInstanceFault: turns one of the dashboard's instance faults on or off (toggle, or idempotent add/rm) on
 * an instance's links, and for a container's partition also for real (docker network disconnect).
 */
import { InstanceFaultKinds, type InstanceFaultKind } from './api.ts';
import type { InstanceLinks } from './instance-links.ts';
import type { InstanceSupervisor } from './instance-supervisor.ts';
import { hasNetworkControl } from '../runtimes/container/network-control.ts';

export async function setInstanceFault(
  supervisor: InstanceSupervisor,
  links: InstanceLinks | undefined,
  type: 'toggle-fault' | 'fault-add' | 'fault-rm',
  fault: InstanceFaultKind,
): Promise<{ ok: boolean; message: string; changed?: boolean; on?: boolean }> {
  const instance = supervisor.name;
  if (!(InstanceFaultKinds as readonly string[]).includes(fault)) {
    return { ok: false, message: `unknown fault ${JSON.stringify(fault)}; known: ${InstanceFaultKinds.join(', ')}` };
  }
  if (!links) return { ok: false, message: `${instance} has no links yet (not started)` };
  const on = type === 'toggle-fault' ? !links.active.includes(fault) : type === 'fault-add';
  if (!links.set(fault, on)) return { ok: true, message: `${fault} already ${on ? 'on' : 'off'} for ${instance}` };
  // A container can also be cut off for real (docker network disconnect), beside its links.
  const started = supervisor.started;
  if (fault === 'partition' && started && hasNetworkControl(started)) {
    await (on ? started.partition() : started.heal());
  }
  supervisor.update({ faults: links.active });
  return { ok: true, message: `${fault} ${on ? 'on' : 'off'} for ${instance}`, changed: true, on };
}
