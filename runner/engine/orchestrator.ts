/**
 * Orchestrator: brings a Topology up and keeps it running; the local implementation of OrchestratorApi.
 *
 *   start(topology) ─> infrastructure (registry, broker, gateway, proxy, web)
 *                   ─> each service as soon as its own dependencies meet their condition (depends_on:
 *                      ready or started), replicas in parallel, each behind a supervisor
 *                   ─> 'ready' once every instance is ready
 *
 * Strict (the default, for scenarios and `up --exit-on-failure`): the first instance that cannot start
 * stops everything and start() rejects. `failuresStayLocal`: that instance is failed and retried by its
 * restart policy, services that do not depend on it keep starting, and start() resolves once every service
 * has had its first try (or waits for one that has not come up); 'ready' follows whenever all are ready.
 *   command(...)    ─> kill / restart / stop / start / faults / scenario / shutdown
 *   shutdown()      ─> instances (reverse waves, gracefully) ─> infrastructure
 *
 * All state goes through the Store (one writer); subscribers are the dashboard, the control API, scenarios.
 */
import type { RuntimeKind, ServiceConfig, Topology } from '../config/topology.ts';
import { SystemClock, type Clock, type Timer } from '../clock/clock.ts';
import type { Runtime } from '../runtimes/runtime.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { type Command, type InstanceFaultKind, type CommandResult, type OrchestratorApi, type ScenarioView, type Snapshot } from './api.ts';
import { Store, type Update } from './store.ts';
import { LogBuffer } from './log-buffer.ts';
import { LogFiles } from './log-files.ts';
import { TrafficMeter } from './traffic-meter.ts';
import { dependencyWaves } from './dependency-order.ts';
import { ServiceSet } from './service-set.ts';
import { diffTopology } from './topology-diff.ts';
import { setInstanceFault } from './instance-fault.ts';
import { InstanceSupervisor } from './instance-supervisor.ts';
import { instanceEnv } from './instance-env.ts';
import { startInfrastructure, type Infrastructure } from './infrastructure.ts';
import { tracingFor, type Tracing } from '../traces/tracing.ts';
import type { TraceDetail, TraceQuery, TraceSummary } from '../traces/trace-types.ts';
import { memberFor } from './registry-members.ts';
import { readinessFor } from './readiness.ts';
import { registryView, instanceLease, describeRegistryEvent } from './registry-view.ts';
import { assertOpenFilesFor } from './open-files-limit.ts';
import { RegistryFaults } from './registry-faults.ts';
import { membersView } from './members-view.ts';
import { peersCluster } from './peers-cluster.ts';
import { unixSocketsHere } from '../net/unix-socket-names.ts';
import { InstanceLinks } from './instance-links.ts';
import { RenewRate } from './renew-rate.ts';
import { TrafficRouting } from './traffic-routing.ts';
import type { FaultPlane } from '../faults/fault-plane.ts';

/**
 * Runs a named scenario (on a topology of its own) and reports its view as it goes; resolves when it ends.
 * `keepTraces`: the traces its steps list (ScenarioView steps[].traces), read before its topology stops,
 * so `trace(id)` still serves them. Injected by the CLI: the scenario runner itself builds on the engine.
 */
export type ScenarioRunner = (
  name: string,
  report: (view: ScenarioView, message?: string) => void,
  signal: AbortSignal,
  keepTraces: (traces: readonly TraceDetail[]) => void,
) => Promise<void>;

/** At most this many traces of the last dashboard scenario are kept for its steps' links. */
const SCENARIO_TRACES_KEPT = 200;

export interface OrchestratorOptions {
  /** Keep every instance's output in bounded, rotated files here (`up`: `<project>/.micro-dev/logs`). */
  logDir?: string;
  /** What the dashboard's `c` (run-scenario command) runs; without it the command says how to run one. */
  runScenario?: ScenarioRunner;
  clock?: Clock;
  /** Runtimes by kind; defaults create worker and process runtimes (and container on demand). */
  runtimes?: Partial<Record<RuntimeKind, Runtime>>;
  /** One plain line per event (the --no-tui output). */
  onProgress?: (line: string) => void;
  /** A service that cannot start is failed and retried by its policy; the rest keeps running (see above). */
  failuresStayLocal?: boolean;
  /** Traces of every request (runner/traces); default per the topology's `telemetry`; false turns tracing off. */
  tracing?: Tracing | false;
}

export class Orchestrator implements OrchestratorApi {
  #topology: Topology;
  readonly #clock: Clock;
  readonly #store: Store;
  readonly #logs = new LogBuffer(1000);
  readonly #logFiles: LogFiles | undefined;
  readonly #meter: TrafficMeter;
  readonly #renewRate = new RenewRate();
  readonly #routing = new TrafficRouting();
  #renewsPerMin: number | undefined;
  readonly #runtimes: Partial<Record<RuntimeKind, Runtime>>;
  readonly #progress: (line: string) => void;
  #infra?: Infrastructure;
  readonly #tracing: Tracing | undefined;
  #registryFaults?: RegistryFaults;
  #membersPolling = false;
  readonly #links = new Map<string, InstanceLinks>();
  #pollTimer?: Timer;
  #stopFollowing?: () => void;
  #shuttingDown?: Promise<void>;
  readonly #runScenario?: ScenarioRunner;
  #scenario?: AbortController;
  #scenarioRun?: Promise<void>;
  /** The traces the last dashboard scenario's steps list, by trace id (its own topology's store is gone). */
  readonly #scenarioTraces = new Map<string, TraceDetail>();
  readonly #local: boolean;
  /** Aborted on shutdown: cancels every wait for a dependency. */
  readonly #lifetime = new AbortController();
  readonly #set: ServiceSet;
  #startSettled = false;

  constructor(topology: Topology, options: OrchestratorOptions = {}) {
    this.#topology = topology;
    this.#clock = options.clock ?? new SystemClock();
    this.#runtimes = { ...options.runtimes };
    this.#progress = options.onProgress ?? (() => undefined);
    this.#runScenario = options.runScenario;
    this.#local = options.failuresStayLocal ?? false;
    this.#tracing = options.tracing === false || !topology.telemetry.traces ? undefined : (options.tracing ?? tracingFor(topology, process.env));
    this.#store = new Store(emptySnapshot(topology), () => this.#clock.now());
    this.#meter = new TrafficMeter(this.#clock);
    this.#logFiles = options.logDir ? new LogFiles(options.logDir) : undefined;
    this.#set = new ServiceSet({
      supervise: (service, replica) => this.#supervise(service, replica),
      retire: (supervisor) => this.#retire(supervisor.name),
      signal: this.#lifetime.signal,
    });
  }

  /** The topology running now (live edits of micro.dev.yaml change its services). */
  get topology(): Topology {
    return this.#topology;
  }

  /**
   * Starts everything (or `only` those services and what they depend on). Strict: resolves when every instance is ready; on a failure, stops what started and
   * rejects. failuresStayLocal: resolves once every service has had its first try or waits for a dependency
   * that has not come up; rejects only when the infrastructure cannot start.
   */
  async start(options: { only?: string[] } = {}): Promise<void> {
    // A shutdown (down, Ctrl-C) during the start must not be followed by more starting: shutdown() only
    // stops what exists when it runs, so infrastructure or a service started after it would be left running.
    const stoppedWhileStarting = () => new MicroDevError('START_FAILED', `${this.topology.name} was shut down while starting`);
    try {
      assertOpenFilesFor(this.topology.services);
      if (this.#tracing?.notice) this.#progress(`traces           ${this.#tracing.notice}`);
      const infra = await startInfrastructure(this.topology, {
        clock: this.#clock,
        onGatewayRequest: () => this.#meter.gatewayRequest(),
        onProgress: this.#progress,
        ...(this.#tracing ? { tracing: this.#tracing } : {}),
      });
      if (this.#shuttingDown) {
        await infra.stop();
        throw stoppedWhileStarting();
      }
      this.#infra = infra;
      if (infra.etcd) this.#registryFaults = new RegistryFaults(infra.etcd, infra.faultPlane);
      else if (infra.registryMembers.length > 1) this.#registryFaults = new RegistryFaults(peersCluster(infra.registryMembers), infra.faultPlane);
      this.#pollRegistry();
      this.#followRegistryEvents();
      await this.#startServices(this.topology.services, options.only);
      if (this.#shuttingDown) throw stoppedWhileStarting();
      this.#startSettled = true;
      this.#checkAllReady();
    } catch (error) {
      await this.shutdown();
      throw error;
    }
  }

  /**
   * Every service behind its own dependencies (no waves). Each instance is declared pending at once, so
   * status and the dashboard show what waits for what.
   */
  async #startServices(all: readonly ServiceConfig[], only?: string[]): Promise<void> {
    await this.#set.startAll(all, { only, failuresStayLocal: this.#local });
  }

  /**
   * Applies an edited topology's services live: removed ones stop, changed ones are replaced (stopped, then
   * started with the new config), added ones start after their dependencies, scaled ones get their replica
   * count. Infrastructure sections are not applied (a restart of `up` does). Returns one line per change.
   */
  async applyTopology(next: Topology): Promise<string[]> {
    const lines = await this.#set.applyEdit(diffTopology(this.#topology, next), () => {
      this.#topology = { ...this.#topology, services: next.services };
    });
    return lines;
  }

  /** Dispatches 'ready' the first time every instance is ready after the start settled. */
  #checkAllReady(): void {
    if (!this.#startSettled || this.#store.state.ready || this.#shuttingDown || !this.#infra) return;
    // Stopped on request (or not asked for) is not waited for.
    const wanted = this.#set.all.filter((s) => s.view.state !== 'stopped');
    if (wanted.length > 0 && wanted.every((s) => s.view.state === 'ready')) this.#store.dispatch({ type: 'ready', urls: this.#infra.urls });
  }

  snapshot(): Snapshot {
    return structuredClone(this.#store.state);
  }

  subscribe(listener: (update: Update) => void): () => void {
    return this.#store.subscribe(listener);
  }

  logs(instance?: string, limit?: number) {
    return this.#logs.recent(instance, limit);
  }

  async traces(query?: TraceQuery): Promise<TraceSummary[]> {
    return this.#tracing?.store.list(query) ?? [];
  }

  async trace(id: string): Promise<TraceDetail | undefined> {
    return this.#tracing?.store.get(id) ?? this.#scenarioTrace(id);
  }

  /** A trace the last dashboard scenario's steps list (its topology is gone), by id or a unique prefix. */
  #scenarioTrace(id: string): TraceDetail | undefined {
    const key = id.toLowerCase();
    const exact = this.#scenarioTraces.get(key);
    if (exact || key.length < 4) return exact;
    const matches = [...this.#scenarioTraces.values()].filter((t) => t.summary.traceId.startsWith(key));
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** The traces recorded (undefined when tracing is off). */
  get tracing(): Tracing | undefined {
    return this.#tracing;
  }

  get infrastructure(): Infrastructure | undefined {
    return this.#infra;
  }

  /** The fault plane: every instance's links (`<instance>/inbound|registry|proxy`) and `infra/registry`. */
  get faultPlane(): FaultPlane | undefined {
    return this.#infra?.faultPlane;
  }

  /**
   * Blue-green reload of every instance of a service, one replica at a time, so the service never has
   * fewer ready instances than before. Stops at the first replica whose new version fails (the others keep
   * the old one). Resolves with how many replicas now run the new version and how many do not.
   */
  async reload(service: string): Promise<{ replaced: number; failed: number }> {
    let replaced = 0;
    let failed = 0;
    const replicas = this.#set.of(service).filter((s) => s.view.state !== 'pending');
    for (const s of replicas) {
      if (await s.replace()) {
        replaced++;
        continue;
      }
      // The new version did not come up: the rest would fail the same way, one start time each.
      failed = replicas.length - replaced;
      break;
    }
    return { replaced, failed };
  }

  /** Requests an instance's inbound link counted since the start (scenarios sample it every 25 ms). */
  served(instance: string): { requests: number; errors: number } | undefined {
    return this.#meter.served(instance);
  }

  supervisor(instance: string): InstanceSupervisor | undefined {
    return this.#set.all.find((s) => s.name === instance);
  }

  async command(command: Command): Promise<CommandResult> {
    if (command.type === 'shutdown') {
      void this.shutdown();
      return { ok: true, message: 'shutting down' };
    }
    if (command.type === 'run-scenario') return this.#startScenario(command.name);
    if (command.type === 'scale') return this.#scale(command.service, command.replicas);
    if (command.type === 'registry-fault') {
      if (!this.#registryFaults) return { ok: false, message: noRegistryMembers(this.topology.registry) };
      const result = await this.#registryFaults.command(command).catch((error: unknown) => ({ ok: false, message: error instanceof Error ? error.message : String(error) }));
      if (result.ok) this.#progress(`registry         ${result.message}`);
      return result;
    }
    if (command.type === 'route-version') {
      const result = this.#routing.routeVersion(this.#infra, command.service, command.version);
      if (result.ok) this.#progress(`routing          ${result.message}`);
      return result;
    }
    const target = this.#set.resolve(command.instance);
    if ('error' in target) return { ok: false, message: target.error };
    const { supervisors, service } = target;
    const names = supervisors.map((s) => s.name).join(', ') || 'no instances';
    try {
      switch (command.type) {
        case 'kill':
          supervisors.forEach((s) => s.kill());
          return { ok: true, message: `${names} killed` };
        case 'restart':
          for (const s of supervisors) void s.restart().catch(() => undefined);
          return { ok: true, message: `${names} restarting` };
        case 'stop':
          await Promise.all(supervisors.map((s) => s.stop()));
          return { ok: true, message: `${names} stopped` };
        case 'start': {
          if (service) {
            const started = this.#set.startWithDependencies(service);
            const deps = started.filter((n) => n !== service);
            if (started.length === 0) return { ok: true, message: `${service} is already running` };
            return { ok: true, message: `${service} starting${deps.length ? ` (with ${deps.join(', ')})` : ''}` };
          }
          for (const s of supervisors) void s.start().catch(() => undefined);
          return { ok: true, message: `${names} starting` };
        }
        case 'set-weight': {
          const result = this.#routing.setWeight(this.#infra, supervisors, command.weight);
          if (result.ok) this.#progress(`routing          ${result.message}`);
          return result;
        }
        case 'toggle-fault':
        case 'fault-add':
        case 'fault-rm': {
          const results = await Promise.all(supervisors.map((s) => this.#fault(s, command.type, command.fault)));
          const failed = results.find((r) => !r.ok);
          return failed ?? { ok: true, message: results.map((r) => r.message).join('; ') };
        }
      }
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  async #fault(supervisor: InstanceSupervisor, type: 'toggle-fault' | 'fault-add' | 'fault-rm', fault: InstanceFaultKind): Promise<CommandResult> {
    const result = await setInstanceFault(supervisor, this.#links.get(supervisor.name), type, fault);
    if (result.changed) this.#progress(`${supervisor.name.padEnd(16)} fault     ${fault} ${result.on ? 'on' : 'off'}`);
    return { ok: result.ok, message: result.message };
  }

  async #scale(service: string, replicas: number): Promise<CommandResult> {
    if (!this.#set.services.some((s) => s.name === service)) {
      const target = this.#set.resolve(service);
      return { ok: false, message: 'error' in target ? target.error.replace('service or instance', 'service') : `${service} is an instance; scale takes a service` };
    }
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 64) {
      return { ok: false, message: `replicas must be a whole number from 0 to 64, got ${JSON.stringify(replicas)}` };
    }
    const { added, removed } = await this.#set.scale(service, replicas);
    if (added.length + removed.length === 0) return { ok: true, message: `${service} already has ${replicas} replica(s)` };
    const message = `${service} scaled to ${replicas}: ${added.length ? `starting ${added.join(', ')}` : `stopped ${removed.join(', ')}`}`;
    this.#progress(`${service.padEnd(16)} scale     ${message}`);
    return { ok: true, message };
  }

  /** An instance that is gone for good (scaled down, service removed): its links close, the snapshot drops it. */
  async #retire(instance: string): Promise<void> {
    const links = this.#links.get(instance);
    this.#links.delete(instance);
    if (links) await links.close();
    this.#store.dispatch({ type: 'instance-removed', instance });
  }

  /** Resolves once the scenario has loaded and reported (or failed to load: then ok is false, with why). */
  async #startScenario(name: string): Promise<CommandResult> {
    const runner = this.#runScenario;
    if (!runner) return { ok: false, message: `scenarios run with "micro-dev scenario run ${name}"` };
    if (this.#scenario) return { ok: false, message: 'a scenario is already running' };
    const abort = new AbortController();
    this.#scenario = abort;
    let loaded!: () => void;
    const firstReport = new Promise<void>((resolve) => (loaded = resolve));
    const report = (view: ScenarioView, message?: string) => {
      loaded();
      this.#store.dispatch({ type: 'scenario', view, message });
      if (message) this.#progress(`scenario         ${message}`);
    };
    const keepTraces = (traces: readonly TraceDetail[]) => {
      this.#scenarioTraces.clear(); // the last scenario's only: the pane shows one scenario
      for (const t of traces.slice(0, SCENARIO_TRACES_KEPT)) this.#scenarioTraces.set(t.summary.traceId, t);
    };
    const run = runner(name, report, abort.signal, keepTraces).finally(() => {
      if (this.#scenario === abort) this.#scenario = undefined;
    });
    this.#scenarioRun = run.catch(() => undefined);
    try {
      await Promise.race([firstReport, run]);
    } catch (error) {
      return { ok: false, message: `scenario ${name} could not run: ${error instanceof Error ? error.message : String(error)}` };
    }
    run.catch((error) => this.#progress(`scenario         ${name} failed: ${error instanceof Error ? error.message : String(error)}`));
    return { ok: true, message: `scenario ${name} started on a topology of its own` };
  }

  /** Stops every instance (reverse start order, gracefully) and then the infrastructure. Idempotent. */
  shutdown(): Promise<void> {
    this.#shuttingDown ??= (async () => {
      this.#lifetime.abort(new MicroDevError('START_FAILED', `${this.topology.name} is shutting down`));
      this.#scenario?.abort(new Error('micro-dev is shutting down'));
      await this.#scenarioRun; // the scenario stops its own topology once aborted
      this.#pollTimer?.cancel();
      this.#stopFollowing?.();
      const waves = dependencyWaves(this.#set.services).reverse();
      for (const wave of waves) {
        await Promise.all(wave.flatMap((s) => this.#set.of(s.name)).map((s) => s.stop()));
      }
      await this.#infra?.stop();
      await this.#tracing?.shutdown();
      for (const runtime of Object.values(this.#runtimes)) await runtime?.close?.().catch(() => undefined);
      await this.#logFiles?.close();
      this.#store.dispatch({ type: 'shutdown' });
    })();
    return this.#shuttingDown;
  }

  #supervise(service: ServiceConfig, replica: number): InstanceSupervisor {
    const infra = this.#infra!;
    const name = `${service.name}-${replica}`;
    let serverAddress = '127.0.0.1:0';
    let serverSocket: string | undefined;
    // With Eureka peers each instance registers, renews and is checked on its own member.
    const member = memberFor(infra.registryMembers, replica);
    const registryAddress = member?.address ?? infra.registryAddress;
    return new InstanceSupervisor(name, service, {
      runtime: this.#runtime(service.runtime),
      clock: this.#clock,
      env: async () => {
        let links = this.#links.get(name);
        if (!links) {
          const faceKind = service.registry === 'eureka' || service.registry === 'nacos' ? service.registry : undefined;
          const faces = member?.faces ?? infra.registryFaces;
          const face = faceKind ? faces[faceKind] : undefined;
          if (faceKind && !face) {
            throw new MicroDevError('CONFIG_INVALID', `services.${service.name}.registry is ${faceKind}, but the registry has no ${faceKind} face (it needs registry.kind: embedded)`);
          }
          links = await InstanceLinks.open(infra.faultPlane, name, {
            registry: face ?? (member ? registryAddress : infra.registryUpstreams),
            ...(infra.registryLinkMembers ? { members: infra.registryLinkMembers } : {}),
            proxy: infra.proxy.address,
            // a container lives in a network namespace of its own: an abstract socket of ours is not there
            unixSockets: service.runtime !== 'container' && unixSocketsHere(),
            // the kit's etcd client speaks gRPC on its own connections
            registryUnix: (service.registry ?? this.topology.registry.kind) !== 'etcd',
          });
          // Per-instance numbers are counted where every caller's traffic enters it.
          links.inbound.observe(this.#meter.observer(name, service.name));
          this.#links.set(name, links);
        }
        const fixedPort = service.port === 0 ? 0 : service.port + replica - 1;
        serverAddress = await links.serverAddress(fixedPort);
        serverSocket = links.newServerSocket();
        const weight = this.#routing.weightOf(name) ?? service.weight;
        const prepared = instanceEnv(this.topology, weight === undefined ? service : { ...service, weight }, replica, {
          registry: links.registryAddress,
          proxy: links.proxy.listen,
          broker: infra.brokerAddress,
          server: serverAddress,
          advertise: links.inbound.listen,
          ...(serverSocket ? { serverSocket } : {}),
          linkSockets: links.linkSockets,
          ...(this.#tracing?.otlpEndpoint ? { otlpEndpoint: this.#tracing.otlpEndpoint } : {}),
          ...(this.#tracing ? { sampleRatio: this.#tracing.sampleRatio } : {}),
        });
        return { ...prepared, serverAddress, portDrawn: fixedPort === 0 };
      },
      activate: (address) => this.#links.get(name)?.aim(address, serverSocket),
      readiness: async (started, serverId, signal) => {
        const address = serverAddress;
        const socket = serverSocket;
        const ready = await readinessFor(service, {
          instance: started,
          serverId,
          advertise: this.#links.get(name)?.inbound.listen,
          registryAddress,
          registryToken: this.topology.registry.token,
          ...(infra.registryLister ? { registryLister: infra.registryLister } : {}),
          ...(infra.registryCatalog && registryAddress === infra.registryAddress ? { registryCatalog: infra.registryCatalog } : {}),
          port: Number(address.split(':').pop()),
          signal,
        });
        // the kit serves on the socket it was given; a service without the kit does not, and stays on TCP
        if (socket !== undefined) await this.#links.get(name)?.useServerSocket(address, socket);
        return ready;
      },
      report: (view, message) => {
        this.#store.dispatch({ type: 'instance', view, message });
        if (message) this.#progress(`${view.instance.padEnd(16)} ${view.state.padEnd(9)} ${message}`);
        this.#set.gate.notify();
        this.#checkAllReady();
      },
      retryStartFailures: this.#local,
      lastLines: () => this.#logs.recent(name, 5).map((l) => l.line),
      log: (line) => {
        this.#logs.push(line);
        this.#logFiles?.write(line);
        this.#store.dispatch({ type: 'log', instance: line.instance, stream: line.stream, line: line.line });
      },
    });
  }

  #runtime(kind: RuntimeKind): Runtime {
    const runtime = this.#runtimes[kind];
    if (!runtime) {
      throw new MicroDevError('START_FAILED', `runtime "${kind}" is not available in this engine`);
    }
    return runtime;
  }

  /** A registry of several members (etcd): their roles and the registered count, asked without blocking the tick. */
  #pollMembers(): void {
    const infra = this.#infra;
    const etcd = infra?.etcd;
    if (!infra || !etcd || this.#membersPolling || this.#shuttingDown) return;
    this.#membersPolling = true;
    void membersView(etcd, () => etcd.registeredNodes(), (m) => this.#registryFaults?.faultsOf(m) ?? [], infra.registryAddress)
      .then((view) => {
        if (this.#shuttingDown) return;
        const before = this.#store.state.registry;
        const roles = (v: typeof view) => (v.members ?? []).map((m) => `${m.name} ${m.role}`).join(', ');
        if (JSON.stringify(view) === JSON.stringify(before)) return;
        const changed = roles(view) !== roles(before) ? `members: ${roles(view)}` : undefined;
        if (changed) this.#progress(`registry         ${changed}`);
        this.#store.dispatch({ type: 'registry', view, ...(changed ? { message: changed } : {}) });
      })
      .catch(() => undefined)
      .finally(() => (this.#membersPolling = false));
  }

  /** Lease events as they happen (not only on the next poll): a progress line and a registry event. */
  #followRegistryEvents(): void {
    const registry = this.#infra?.registry;
    if (!registry) return;
    // The counts come from the whole catalog (registry.status() is O(instances)): a burst of events (a
    // thousand leases reaped in one pass) computes them once, right after the burst, not once per event.
    let refresh: NodeJS.Immediate | undefined;
    const unsubscribe = registry.subscribe((e) => {
      const message = describeRegistryEvent(e);
      if (!message) return;
      this.#progress(`registry         ${message}`);
      this.#store.dispatch({ type: 'registry', view: this.#store.state.registry, message });
      refresh ??= setImmediate(() => {
        refresh = undefined;
        if (this.#shuttingDown) return;
        const view = registryView(this.topology, this.#infra!.registryAddress, registry.status(), this.#renewsPerMin);
        if (JSON.stringify(view) !== JSON.stringify(this.#store.state.registry)) this.#store.dispatch({ type: 'registry', view });
      });
    });
    this.#stopFollowing = () => {
      unsubscribe();
      if (refresh) clearImmediate(refresh);
    };
  }

  /** Once a second, in one tick (one dashboard frame): traffic series, registry counts, per-instance lease. */
  #pollRegistry(): void {
    const tick = () => {
      this.#store.dispatch({ type: 'traffic', gatewayRps: this.#meter.tick(), services: this.#meter.services() });
      const registry = this.#infra?.registry;
      this.#pollMembers();
      if (registry) {
        const status = registry.status();
        this.#renewsPerMin = this.#renewRate.sample(this.#clock.now(), status.heartbeats);
        const view = registryView(this.topology, this.#infra!.registryAddress, status, this.#renewsPerMin);
        if (JSON.stringify(view) !== JSON.stringify(this.#store.state.registry)) {
          this.#store.dispatch({ type: 'registry', view });
        }
        const leases = new Map(status.leases.map((l) => [l.serviceId, l]));
        for (const s of this.#set.all) {
          const lease = instanceLease(status, s.view.registryId, leases);
          const patch = { ...lease, traffic: this.#meter.instance(s.name), served: this.#meter.served(s.name) };
          if (s.view.state === 'ready' && lease.critical) s.update({ ...patch, state: 'unhealthy' });
          else if (s.view.state === 'unhealthy' && lease.critical === false) s.update({ ...patch, state: 'ready' });
          else s.update(patch);
        }
      }
      this.#pollTimer = this.#clock.setTimeout(tick, 1000);
    };
    this.#pollTimer = this.#clock.setTimeout(tick, 1000);
  }
}

function emptySnapshot(topology: Topology): Snapshot {
  const host = (l: { host: string; port: number }) => `http://${l.host}:${l.port}`;
  return {
    topology: topology.name,
    startedAt: Date.now(),
    ready: false,
    urls: {
      gateway: host(topology.gateway),
      proxy: host(topology.proxy),
      web: host(topology.web),
      registry: host(topology.registry),
    },
    instances: [],
    registry: {
      kind: topology.registry.kind,
      semantics: topology.registry.semantics,
      address: `${topology.registry.host}:${topology.registry.port}`,
      passing: 0,
      critical: 0,
    },
    gatewayRps: [],
  };
}

/** Why a registry fault has nothing to act on. */
function noRegistryMembers(registry: Topology['registry']): string {
  if (registry.kind === 'etcd' && registry.address) {
    return `the registry has no members micro-dev runs: registry.address points at an etcd cluster micro-dev did not start (${registry.address}), so it cannot partition, kill or slow its members; use registry-outage / heartbeat-loss (they cut the links to it), or registry {kind: etcd, nodes: 3}`;
  }
  return `the registry has no members to fault (registry kind ${registry.kind}; registry faults need kind etcd or registry.peers)`;
}
