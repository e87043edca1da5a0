import type {
  Command,
  CommandResult,
  EngineEvent,
  InstanceView,
  OrchestratorApi,
  RegistryView,
  Snapshot,
  TraceDetail,
  TraceQuery,
  TraceSummary,
} from '../../runner/engine/api.ts';

type Update = { snapshot: Snapshot } | { event: EngineEvent };

/**
 * An in-memory OrchestratorApi for dashboard tests: the engine is a collaborator here, the dashboard is
 * what is under test. It applies commands to its own snapshot the way the engine would (kill -> crashed,
 * toggle-fault flips `faults`, ...) and records every command it received.
 */
export class FakeOrchestrator implements OrchestratorApi {
  readonly commands: Command[] = [];
  #snapshot: Snapshot;
  #listeners = new Set<(u: Update) => void>();
  #logs: { instance: string; stream: string; line: string; at: number }[] = [];
  #waiters: (() => void)[] = [];
  now: () => number;

  constructor(snapshot: Snapshot = sampleSnapshot(), now: () => number = Date.now) {
    this.#snapshot = structuredClone(snapshot);
    this.now = now;
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  snapshot(): Snapshot {
    return structuredClone(this.#snapshot);
  }

  subscribe(listener: (u: Update) => void): () => void {
    listener({ snapshot: this.snapshot() });
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async command(command: Command): Promise<CommandResult> {
    this.commands.push(command);
    for (const w of this.#waiters.splice(0)) w();
    if (command.type === 'shutdown') {
      this.emit({ type: 'shutdown', at: this.now() });
      return { ok: true, message: 'shutting down' };
    }
    if (command.type === 'run-scenario') {
      this.emit({
        type: 'scenario',
        at: this.now(),
        view: {
          name: command.name,
          startedAt: this.now(),
          steps: [{ at: 0, label: 'kill greeter-srv-1', state: 'active' }],
          expectations: [{ label: 'availability >= 99%', state: 'pending' }],
        },
      });
      return { ok: true, message: `scenario ${command.name} started` };
    }
    if (command.type === 'scale') return { ok: false, message: 'the fake does not scale' };
    if (command.type === 'registry-fault') return { ok: false, message: 'the fake has no registry members' };
    if (command.type === 'route-version') return { ok: false, message: 'the fake does not route' };
    const view = this.#snapshot.instances.find((v) => v.instance === command.instance);
    if (!view) return { ok: false, message: `no instance ${command.instance}` };
    const next: InstanceView = structuredClone(view);
    switch (command.type) {
      case 'kill':
        next.state = 'crashed';
        next.restarts += 1;
        break;
      case 'restart':
        next.state = 'starting';
        break;
      case 'stop':
        next.state = 'stopped';
        break;
      case 'start':
        next.state = 'starting';
        break;
      case 'toggle-fault':
        next.faults = next.faults.includes(command.fault)
          ? next.faults.filter((f) => f !== command.fault)
          : [...next.faults, command.fault];
        break;
    }
    this.setInstance(next, `${command.type} ${command.instance}`);
    return { ok: true, message: `${command.type} ${command.instance}: done` };
  }

  /** What traces()/trace() answer; tests set them. */
  traceDetails: TraceDetail[] = [];

  async traces(query: TraceQuery = {}): Promise<TraceSummary[]> {
    return this.traceDetails
      .map((t) => t.summary)
      .filter((t) => (!query.failed || t.failed) && (!query.slow || t.slow) && (query.service === undefined || t.services.includes(query.service)))
      .sort((a, b) => b.startMs - a.startMs)
      .slice(0, query.limit ?? 50);
  }

  async trace(id: string): Promise<TraceDetail | undefined> {
    return this.traceDetails.find((t) => t.summary.traceId.startsWith(id));
  }

  logs(instance?: string, limit = 200): { instance: string; stream: string; line: string; at: number }[] {
    const all = instance ? this.#logs.filter((l) => l.instance === instance) : this.#logs;
    return all.slice(-limit);
  }

  /** Resolves once `count` commands have been received, rejects after timeoutMs. */
  async waitForCommands(count: number, timeoutMs = 3000): Promise<Command[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.commands.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} commands within ${timeoutMs}ms, got ${JSON.stringify(this.commands)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.commands;
  }

  emit(event: EngineEvent): void {
    if (event.type === 'instance') {
      const i = this.#snapshot.instances.findIndex((v) => v.instance === event.view.instance);
      if (i >= 0) this.#snapshot.instances[i] = event.view;
      else this.#snapshot.instances.push(event.view);
    } else if (event.type === 'registry') this.#snapshot.registry = event.view;
    else if (event.type === 'traffic') this.#snapshot.gatewayRps = event.gatewayRps;
    else if (event.type === 'scenario') this.#snapshot.scenario = event.view;
    else if (event.type === 'ready') this.#snapshot.ready = true;
    else if (event.type === 'log') this.#logs.push({ instance: event.instance, stream: event.stream, line: event.line, at: event.at });
    for (const l of this.#listeners) l({ event: structuredClone(event) });
  }

  setInstance(view: InstanceView, message?: string): void {
    this.emit({ type: 'instance', at: this.now(), view, message });
  }

  setRegistry(view: RegistryView): void {
    this.emit({ type: 'registry', at: this.now(), view });
  }

  log(instance: string, line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.emit({ type: 'log', at: this.now(), instance, stream, line });
  }
}

export function instance(name: string, over: Partial<InstanceView> = {}): InstanceView {
  const service = name.replace(/-\d+$/, '');
  const tier = service.endsWith('-web') ? 'web' : service.endsWith('-api') ? 'api' : service.endsWith('-srv') ? 'srv' : 'other';
  return {
    instance: name,
    service,
    tier,
    runtime: 'worker',
    state: 'ready',
    restarts: 0,
    faults: [],
    ...over,
  };
}

/** The 3-tier greeter: one web, one api, two srv replicas, embedded registry with consul leases. */
export function sampleSnapshot(startedAt = 0): Snapshot {
  return {
    topology: 'greeter',
    startedAt,
    ready: true,
    urls: {
      gateway: 'http://127.0.0.1:8080',
      proxy: 'http://127.0.0.1:8081',
      web: 'http://127.0.0.1:8082',
      registry: 'http://127.0.0.1:8500',
    },
    instances: [
      instance('greeter-srv-1', { address: '127.0.0.1:41001', ref: 'tid:1', heartbeatAgeMs: 1200, leaseLeftMs: 8800, traffic: { requests: 125, errors: 0, rps: 12.5, errorRate: 0, p50: 4, p99: 14, windowMs: 10_000 } }),
      instance('greeter-srv-2', { address: '127.0.0.1:41002', ref: 'tid:2', heartbeatAgeMs: 300, leaseLeftMs: 9700, traffic: { requests: 110, errors: 2, rps: 11, errorRate: 0.02, p50: 5, p99: 31, windowMs: 10_000 } }),
      instance('greeter-api-1', { address: '127.0.0.1:42001', ref: 'pid 4242', heartbeatAgeMs: 900, leaseLeftMs: 9100 }),
      instance('greeter-web-1', { address: '127.0.0.1:43001', ref: 'pid 4243', state: 'starting' }),
    ],
    registry: { kind: 'embedded', semantics: 'consul', address: '127.0.0.1:8500', passing: 3, critical: 0 },
    gatewayRps: [0, 1, 2, 4, 8, 16, 8, 4, 2, 1],
  };
}
