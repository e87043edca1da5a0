import type { Topology } from '../config/topology.ts';
import { assertPortFree } from '../net/assert-port-free.ts';

/**
 * Checks every fixed port of a topology before anything starts, so a busy port fails in well under a
 * second with its role and holder, and nothing is half-started.
 */
export async function preflightPorts(topology: Topology): Promise<void> {
  const listeners: { role: string; key: string; host: string; port: number }[] = [
    ...(topology.registry.kind === 'embedded' ? [{ role: 'registry', key: 'registry.port', ...topology.registry }] : []),
    { role: 'gateway', key: 'gateway.port', ...topology.gateway },
    { role: 'proxy', key: 'proxy.port', ...topology.proxy },
    { role: 'web gateway', key: 'web.port', ...topology.web },
    { role: 'broker', key: 'broker.port', ...topology.broker },
    { role: 'fault plane admin', key: 'faults.port', ...topology.faults },
    { role: 'control API', key: 'control.port', ...topology.control },
    ...topology.services.flatMap((s) =>
      s.port === 0
        ? []
        : Array.from({ length: s.replicas }, (_, i) => ({
            role: `service ${s.name}-${i + 1}`,
            key: `services.${s.name}.port`,
            host: '127.0.0.1',
            port: s.port + i,
          })),
    ),
  ].filter((l) => l.port !== 0);
  await Promise.all(
    listeners.map((l) =>
      assertPortFree(l.host, l.port, l.role, { hints: [`change ${l.key} in ${topology.file.split('/').pop()}`] }),
    ),
  );
}
