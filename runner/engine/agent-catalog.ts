/**
 * agentCatalogOf: the embedded registry's agent listings (GET /v1/agent/services and /v1/agent/checks, the
 * fields the `registered` readiness reads) straight from its store, for readiness waits in micro-dev's own
 * thread: a thousand instances' listing is 3.4 MB of JSON to render and parse per poll otherwise.
 */
import type { StartedRegistry } from '../registry/start-registry.ts';
import type { AgentCatalogReader } from '../runtimes/wait/registered-wait-strategy.ts';

export function agentCatalogOf(registry: Pick<StartedRegistry, 'core'>): AgentCatalogReader {
  const store = registry.core.store;
  return () => ({
    services: store.allServices().map((s) => ({ ID: s.id, Service: s.name, Address: s.address, Port: s.port })),
    checks: store.allChecks().map((c) => ({ CheckID: c.checkId, Status: c.status, ServiceID: c.serviceId })),
  });
}
