/**
 * ServiceSet: the services an engine runs and their instances' supervisors, so services can be started,
 * scaled, added and removed while the rest keeps running (CLI commands, live edits of micro.dev.yaml).
 *
 *   declare(services) ──> supervisors, pending ──> launch(services) ──> each waits for its own
 *                                                   dependencies (DependencyGate), then starts
 *   scale(name, n) / add(service) / remove(name) / startWithDependencies(name)
 *
 * The engine creates each supervisor (`supervise`) and undoes one (`retire`: close its links, drop it from
 * the snapshot); this file only decides which exist and when they start.
 */
import type { ServiceConfig } from '../config/topology.ts';
import { didYouMean } from '../config/did-you-mean.ts';
import type { InstanceSupervisor } from './instance-supervisor.ts';
import { DependencyGate } from './dependency-gate.ts';
import { dependencyWaves } from './dependency-order.ts';
import type { TopologyDiff } from './topology-diff.ts';

export interface ServiceSetDeps {
  supervise: (service: ServiceConfig, replica: number) => InstanceSupervisor;
  /** After a supervisor stopped for good (scaled down, service removed). */
  retire: (supervisor: InstanceSupervisor) => Promise<void>;
  /** Aborted on shutdown: cancels every wait for a dependency. */
  signal: AbortSignal;
}

/** Instance states in which an instance runs or is on its way (a start would be a second one). */
const activeStates = new Set(['starting', 'ready', 'unhealthy', 'paused', 'crashed', 'backoff']);

export class ServiceSet {
  readonly #deps: ServiceSetDeps;
  readonly #services = new Map<string, ServiceConfig>();
  #supervisors: InstanceSupervisor[] = [];
  /** Services waiting for their dependencies: a second launch of one must not start it twice. */
  readonly #waiting = new Set<string>();
  readonly gate = new DependencyGate((service) => this.of(service).map((s) => s.view));

  constructor(deps: ServiceSetDeps) {
    this.#deps = deps;
  }

  get all(): readonly InstanceSupervisor[] {
    return this.#supervisors;
  }

  get services(): ServiceConfig[] {
    return [...this.#services.values()];
  }

  of(service: string): InstanceSupervisor[] {
    return this.#supervisors.filter((s) => s.service.name === service);
  }

  /** Creates the supervisors of these services (pending, waiting for their dependencies). */
  declare(services: readonly ServiceConfig[]): void {
    for (const service of services) {
      this.#services.set(service.name, service);
      const supervisors = Array.from({ length: service.replicas }, (_, i) => this.#deps.supervise(service, i + 1));
      this.#supervisors.push(...supervisors);
      for (const s of supervisors) s.pend(service.dependsOn);
    }
  }

  /**
   * The first start: every service declared; `only` those and what they depend on launched (the others
   * stay stopped). Strict: resolves when all are ready, rejects with the first failure. failuresStayLocal:
   * resolves once every service has settled: its first try is over (ready or not), or a dependency settled
   * without coming up (then it keeps waiting in the background, and starts if the dependency's restart
   * policy brings it up).
   */
  async startAll(all: readonly ServiceConfig[], options: { only?: string[]; failuresStayLocal: boolean }): Promise<void> {
    this.declare(all);
    const services = options.only ? this.withDependencies(options.only) : all;
    for (const service of all) if (!services.includes(service)) this.of(service.name).forEach((s) => s.park());
    const tasks = this.launch(services);
    if (!options.failuresStayLocal) {
      await Promise.all(tasks.values());
      return;
    }
    const settled = new Map<string, Promise<boolean>>();
    for (const service of dependencyWaves(services).flat()) {
      const own = tasks.get(service.name)!.then(() => true, () => false);
      const deps = service.dependsOn.filter((d) => settled.has(d)).map((d) => settled.get(d)!);
      const blocked = Promise.all(deps).then((ok) => (ok.every(Boolean) ? own : false));
      settled.set(service.name, Promise.race([own, blocked]));
    }
    await Promise.all(settled.values());
  }

  /**
   * An edit of the topology, live: removed services stop, changed ones are replaced (stopped, then started
   * with the new config), added ones start after their dependencies, scaled ones get their replica count.
   * `adopt()` runs once the old ones are gone (the engine takes the new services then). Infrastructure is
   * not applied (a restart of `up` does). One line per change.
   */
  async applyEdit(diff: TopologyDiff, adopt: () => void): Promise<string[]> {
    const lines: string[] = [];
    for (const name of diff.removed) {
      await this.remove(name);
      lines.push(`${name} removed`);
    }
    for (const service of diff.changed) {
      await this.remove(service.name);
      lines.push(`${service.name} changed: restarting with the new config`);
    }
    adopt();
    // In any order: each waits for its own dependencies (DependencyGate), declared or not yet.
    for (const service of [...diff.added, ...diff.changed]) this.add(service);
    lines.push(...diff.added.map((s) => `${s.name} added`));
    for (const { name, replicas } of diff.scaled) {
      await this.scale(name, replicas);
      lines.push(`${name} scaled to ${replicas}`);
    }
    for (const key of diff.infrastructure) lines.push(`${key} changed: restart micro-dev up to apply it (still running the previous ${key})`);
    return lines;
  }

  /**
   * Starts each service's instances that do not run yet, once its own dependencies meet their condition.
   * The tasks resolve when the service's first try is over; they reject with its first failure.
   */
  launch(services: readonly ServiceConfig[]): Map<string, Promise<void>> {
    const tasks = new Map<string, Promise<void>>();
    for (const service of services) {
      const idle = this.of(service.name).filter((s) => !activeStates.has(s.view.state));
      if (idle.length === 0 || this.#waiting.has(service.name)) {
        tasks.set(service.name, Promise.resolve());
        continue;
      }
      this.#waiting.add(service.name);
      for (const s of idle) s.pend(service.dependsOn);
      tasks.set(service.name, (async () => {
        try {
          await Promise.all(
            service.dependsOn.map((dep) => this.gate.wait(dep, service.dependencyConditions?.[dep] ?? 'ready', this.#deps.signal)),
          );
        } finally {
          this.#waiting.delete(service.name);
        }
        this.#deps.signal.throwIfAborted();
        await Promise.all(idle.map((s) => s.start()));
      })());
    }
    return tasks;
  }

  /** `names` and everything they depend on (directly or not), in start order. */
  withDependencies(names: readonly string[]): ServiceConfig[] {
    const wanted = new Set<string>();
    const visit = (name: string) => {
      if (wanted.has(name)) return;
      wanted.add(name);
      for (const dep of this.#services.get(name)?.dependsOn ?? []) visit(dep);
    };
    names.forEach(visit);
    return dependencyWaves(this.services.filter((s) => wanted.has(s.name))).flat();
  }

  /** Starts a service with whatever it depends on that does not run (in the background); what it starts. */
  startWithDependencies(name: string): string[] {
    const services = this.withDependencies([name]);
    const starting = services.filter((s) => this.of(s.name).some((i) => !activeStates.has(i.view.state)));
    for (const task of this.launch(starting).values()) task.catch(() => undefined);
    return starting.map((s) => s.name);
  }

  /** More replicas (declared and launched) or fewer (the highest stopped and retired). */
  async scale(name: string, replicas: number): Promise<{ added: string[]; removed: string[] }> {
    const service = this.#services.get(name)!;
    const current = this.of(name);
    if (replicas > current.length) {
      const added = Array.from({ length: replicas - current.length }, (_, i) => this.#deps.supervise(service, current.length + i + 1));
      this.#supervisors.push(...added);
      for (const s of added) s.pend(service.dependsOn);
      this.#services.set(name, { ...service, replicas });
      // Launched on their own: the service's other replicas already run.
      void Promise.all(service.dependsOn.map((dep) => this.gate.wait(dep, service.dependencyConditions?.[dep] ?? 'ready', this.#deps.signal)))
        .then(() => Promise.all(added.map((s) => s.start())))
        .catch(() => undefined);
      return { added: added.map((s) => s.name), removed: [] };
    }
    const removed = current.slice(replicas);
    this.#services.set(name, { ...service, replicas });
    await this.#retire(removed);
    return { added: [], removed: removed.map((s) => s.name) };
  }

  /** A service that was not there: declared and launched. */
  add(service: ServiceConfig): void {
    this.declare([service]);
    for (const task of this.launch([service]).values()) task.catch(() => undefined);
  }

  /** Stops every instance of a service and forgets it. */
  async remove(name: string): Promise<void> {
    const gone = this.of(name);
    this.#services.delete(name);
    await this.#retire(gone);
  }

  /**
   * An instance by name, or every instance of a service; otherwise an error naming the closest name.
   * The dashboard's service names (`greeter-srv`) and instance names (`greeter-srv-1`) both work.
   */
  resolve(target: string): { supervisors: InstanceSupervisor[]; service?: string } | { error: string } {
    const instance = this.#supervisors.find((s) => s.name === target);
    if (instance) return { supervisors: [instance] };
    if (this.#services.has(target)) return { supervisors: this.of(target), service: target };
    const names = [...this.#services.keys(), ...this.#supervisors.map((s) => s.name)];
    const guess = didYouMean(target, names);
    return { error: `no service or instance named "${target}"${guess ? ` (did you mean "${guess}"?)` : `; services: ${[...this.#services.keys()].join(', ')}`}` };
  }

  async #retire(supervisors: InstanceSupervisor[]): Promise<void> {
    this.#supervisors = this.#supervisors.filter((s) => !supervisors.includes(s));
    await Promise.all(
      supervisors.map(async (s) => {
        await s.stop();
        await this.#deps.retire(s);
      }),
    );
  }
}
