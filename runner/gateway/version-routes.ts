/**
 * VersionRoutes: which version of a service the gateway and the proxy route to, go-micro's
 * `selector.FilterVersion` applied by the router instead of by each caller.
 *
 *   lookup(svc) / call(svc) ──> versions of svc ──filter: version === routes.get(svc)──> nodes ──> selector
 *
 * A service with no route sees every version (go-micro's default); a route to a version with no node makes
 * calls fail as a filtered go-micro selector does (500 `error selecting <svc> node: none available`). Routes come from
 * the topology (`gateway.versions`, `proxy.versions`: registry name -> version) and change live through the
 * engine's `route-version` command (the canary scenario promotes or rolls back with it).
 */
export class VersionRoutes {
  readonly #routes = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [service, version] of Object.entries(initial)) this.#routes.set(service, version);
  }

  /** The version `service` is routed to, or undefined for every version. */
  get(service: string): string | undefined {
    return this.#routes.get(service);
  }

  /** Routes `service` to `version`; undefined removes the route (every version again). */
  set(service: string, version: string | undefined): void {
    if (version === undefined) this.#routes.delete(service);
    else this.#routes.set(service, version);
  }

  /** Every route, sorted by service name. */
  entries(): Record<string, string> {
    return Object.fromEntries([...this.#routes].sort(([a], [b]) => a.localeCompare(b)));
  }
}
