/**
 * ReloadQueue: one lane per service, so reloads of a service never overlap.
 *
 *   request(svc) ──> pending (requests coalesce while one runs) ──> build? ──> orchestrator.reload(svc)
 *                                                                              └─ cascade ──> request(dependent) ...
 *
 * A request that arrives while a reload runs is merged into one follow-up run, so a burst of saves ends
 * with exactly one more reload and the last version serving. A request with a build aborts a build that is
 * still running (its output would be stale). A failed build leaves the old version serving and puts the
 * error on every instance of the service (InstanceView.lastError, which the dashboard shows).
 */
import type { Topology } from '../config/topology.ts';
import type { Orchestrator } from '../engine/orchestrator.ts';
import { dependentsOf } from '../engine/dependency-order.ts';
import { runBuild } from './run-build.ts';

/** What happened to one requested reload (for progress output, tests and benchmarks). */
export interface ReloadEvent {
  service: string;
  /** Why it ran: the changed file (relative to the config folder) or `cascade from <service>`. */
  reason: string;
  /** cancelled: watching was closed (shutdown) while the reload ran. */
  outcome: 'reloaded' | 'failed' | 'build-failed' | 'cancelled';
  replaced: number;
  failed: number;
  /** From the start of the run (build included) to the last replica swapped, in ms. */
  durationMs: number;
  buildMs?: number;
}

export interface ReloadQueueOptions {
  onLine?: (line: string) => void;
  onReload?: (event: ReloadEvent) => void;
}

interface Job {
  build: boolean;
  /** Reload dependents afterwards (when the service's watch asks for it); false for a cascaded reload itself, whose list is already transitive. */
  cascade: boolean;
  reason: string;
  done: Promise<void>;
  resolve: () => void;
}

interface Lane {
  running?: Promise<void>;
  pending?: Job;
  build?: AbortController;
}

export class ReloadQueue {
  readonly #orchestrator: Orchestrator;
  #topology: Topology;
  readonly #options: ReloadQueueOptions;
  readonly #lanes = new Map<string, Lane>();
  #closed = false;

  constructor(orchestrator: Orchestrator, topology: Topology, options: ReloadQueueOptions = {}) {
    this.#orchestrator = orchestrator;
    this.#topology = topology;
    this.#options = options;
  }

  /** The topology after a live edit of micro.dev.yaml: builds and cascades follow it from now on. */
  setTopology(topology: Topology): void {
    this.#topology = topology;
  }

  /**
   * Asks for a reload of `service` (after its build when `build`); resolves once a run that covers this
   * request has finished (whatever its outcome). Never rejects.
   */
  request(service: string, job: { build: boolean; reason: string; cascade?: boolean }): Promise<void> {
    if (this.#closed) return Promise.resolve();
    let lane = this.#lanes.get(service);
    if (!lane) this.#lanes.set(service, (lane = {}));
    if (!lane.pending) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      lane.pending = { build: false, cascade: false, reason: job.reason, done, resolve };
    }
    lane.pending.build ||= job.build;
    lane.pending.cascade ||= job.cascade ?? true;
    lane.pending.reason = job.reason;
    if (job.build) lane.build?.abort(new Error('a newer change arrived'));
    const done = lane.pending.done;
    lane.running ??= this.#drain(service, lane);
    return done;
  }

  /** Stops new runs and aborts builds; a reload already in the orchestrator finishes (or is cancelled by its shutdown). */
  close(): void {
    this.#closed = true;
    for (const lane of this.#lanes.values()) {
      lane.build?.abort(new Error('watching stopped'));
      lane.pending?.resolve();
      lane.pending = undefined;
    }
  }

  async #drain(service: string, lane: Lane): Promise<void> {
    while (lane.pending && !this.#closed) {
      const job = lane.pending;
      lane.pending = undefined;
      try {
        await this.#run(service, lane, job);
      } catch (error) {
        this.#line(`${service} reload error: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        job.resolve();
      }
    }
    lane.running = undefined;
  }

  async #run(service: string, lane: Lane, job: Job): Promise<void> {
    const config = this.#topology.services.find((s) => s.name === service);
    if (!config) return;
    const t0 = performance.now();
    let buildMs: number | undefined;
    const build = config.watch?.build;
    if (job.build && build) {
      const abort = new AbortController();
      lane.build = abort;
      this.#line(`${service} build: ${build}`);
      const result = await runBuild(build, {
        cwd: config.cwd, // the service's folder (the config folder unless it sets cwd): `go build .` builds it
        onLine: (line) => this.#line(`${service} build | ${line}`),
        signal: abort.signal,
      });
      lane.build = undefined;
      buildMs = result.durationMs;
      if (abort.signal.aborted) return; // superseded: the pending job builds again
      if (!result.ok) {
        const how = result.code === undefined ? 'could not run' : `exited with code ${result.code}`;
        const last = result.tail.filter((l) => l.trim() !== '').at(-1);
        const message = `build "${build}" ${how}${last ? `: ${last}` : ''}; previous version still serving`;
        for (let i = 1; i <= config.replicas; i++) this.#orchestrator.supervisor(`${service}-${i}`)?.update({ lastError: message });
        this.#line(`${service} ${message}`);
        this.#emit({ service, reason: job.reason, outcome: 'build-failed', replaced: 0, failed: 0, durationMs: performance.now() - t0, buildMs });
        return;
      }
    }
    this.#line(`${service} reloading (${job.reason})`);
    let replaced = 0;
    let failed = config.replicas;
    try {
      ({ replaced, failed } = await this.#orchestrator.reload(service));
    } catch (error) {
      // An instance that was not ready is restarted instead of replaced, and that start can throw.
      this.#line(`${service} reload error: ${error instanceof Error ? error.message : String(error)}`);
    }
    const durationMs = performance.now() - t0;
    if (this.#closed) {
      // Cancelled by the shutdown: not a failure worth a line.
      this.#emit({ service, reason: job.reason, outcome: 'cancelled', replaced, failed, durationMs });
      return;
    }
    const outcome = failed === 0 && replaced > 0 ? 'reloaded' : 'failed';
    this.#line(
      replaced + failed === 0
        ? `${service} has no instance to reload yet`
        : outcome === 'reloaded'
        ? `${service} reloaded: ${replaced} replica${replaced === 1 ? '' : 's'} in ${Math.round(durationMs)} ms`
        : `${service} reload failed for ${failed} of ${replaced + failed} replicas; the previous version keeps serving where its replacement failed (see the instance's last error)`,
    );
    this.#emit({ service, reason: job.reason, outcome, replaced, failed, durationMs, ...(buildMs === undefined ? {} : { buildMs }) });
    if (outcome === 'reloaded' && job.cascade && config.watch?.cascade) {
      for (const dependent of dependentsOf(this.#topology.services, service)) {
        await this.request(dependent.name, { build: false, reason: `cascade from ${service}`, cascade: false });
      }
    }
  }

  #line(line: string): void {
    this.#options.onLine?.(line);
  }

  #emit(event: ReloadEvent): void {
    this.#options.onReload?.(event);
  }
}
