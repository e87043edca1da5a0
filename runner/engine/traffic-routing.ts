/**
 * TrafficRouting: the engine's two traffic-shifting commands (a canary's controls).
 *
 *   set-weight  INSTANCE|SERVICE W  ──> registry.setWeight(registryId, W) for each running instance
 *                                       + remembered per instance: a restart registers with weight=W
 *   route-version SERVICE [V]       ──> gateway and proxy VersionRoutes (go-micro's selector.FilterVersion)
 *
 * A weight needs the embedded registry (a real Consul has no operator weight that survives the instance's
 * own re-registration); an instance not registered yet takes the weight when it starts.
 */
import type { CommandResult } from './api.ts';
import type { Infrastructure } from './infrastructure.ts';
import type { InstanceSupervisor } from './instance-supervisor.ts';

export class TrafficRouting {
  /** Instance name -> weight set by set-weight. */
  readonly #weights = new Map<string, number>();

  /** The weight an instance registers with when it (re)starts: set-weight's, else its service's. */
  weightOf(instance: string): number | undefined {
    return this.#weights.get(instance);
  }

  setWeight(infra: Infrastructure | undefined, supervisors: readonly InstanceSupervisor[], weight: number): CommandResult {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0 || weight > 10_000) {
      return { ok: false, message: `weight must be a number from 0 to 10000, got ${JSON.stringify(weight)}` };
    }
    const registry = infra?.registry;
    if (!registry) return { ok: false, message: 'set-weight needs the embedded registry (registry.kind: embedded)' };
    const done: string[] = [];
    for (const s of supervisors) {
      this.#weights.set(s.name, weight);
      const id = s.view.registryId;
      if (!id) continue;
      try {
        registry.setWeight(id, weight);
        done.push(s.name);
      } catch {
        // Deregistered between the view and now (a restart): it registers again with the remembered weight.
      }
    }
    const names = supervisors.map((s) => s.name).join(', ') || 'no instances';
    return { ok: true, message: `${names}: weight ${weight}${done.length < supervisors.length ? ` (${done.length} registered now; the others when they register)` : ''}` };
  }

  routeVersion(infra: Infrastructure | undefined, service: string, version: string | undefined): CommandResult {
    if (typeof service !== 'string' || service === '') return { ok: false, message: 'route-version needs a registry service name (e.g. go.micro.srv.greeter)' };
    if (version !== undefined && (typeof version !== 'string' || version === '')) {
      return { ok: false, message: `version must be a non-empty string, got ${JSON.stringify(version)}` };
    }
    if (!infra) return { ok: false, message: 'the gateway and proxy are not running yet' };
    infra.versions.gateway.set(service, version);
    infra.versions.proxy.set(service, version);
    return { ok: true, message: version === undefined ? `${service}: every version routed` : `${service}: routed to version ${version} only` };
  }
}
