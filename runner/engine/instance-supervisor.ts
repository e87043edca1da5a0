/**
 * InstanceSupervisor: one instance's whole life. Starts it through its Runtime, applies readiness, watches
 * for an unrequested exit and restarts it by the service's restart policy with exponential backoff.
 *
 *   pending ─start()─> starting ─ready─> ready ─exit─> crashed ─policy─> backoff ─> starting ...
 *                                         │                      └─no more─> failed
 *                                         └─stop()─> stopping ─> stopped
 *
 * Every state change is reported through `report` (the engine dispatches it to the store). The supervisor
 * owns its StartedInstance: stop() always leaves nothing running.
 *
 * A start that fails (the runtime cannot start it, it exits before it is ready, readiness times out) is
 * final by default: start() rejects and the instance is failed. With `retryStartFailures` it is a failure
 * like a crash: start() still rejects with the reason, and the restart policy tries again with backoff.
 *
 * A drawn port lost before the instance bound it is not a failure of the instance: the engine draws a free
 * port, the instance binds it a moment later, and in between another process on the machine may take it
 * (any program binding in that range; two micro-dev runs side by side). The instance then dies with
 * "address already in use" (EADDRINUSE in Node, `[Errno 98]` in Python, `bind: address already in use` in
 * Go, `BindException` in Java). Its start (or reload) is tried again at once on a fresh port, up to
 * PORT_CLASH_RETRIES times, without counting as a restart. A fixed port (`port:` in the topology) is not
 * retried: the user chose it, and the instance's own bind error is reported as it is.
 */
import type { ServiceConfig } from '../config/topology.ts';
import type { Clock, Timer } from '../clock/clock.ts';
import type { Runtime, StartedInstance, LogLine } from '../runtimes/runtime.ts';
import type { InstanceState, InstanceView } from './api.ts';
import { exitLines, tellingLine } from '../runtimes/worker/exit-report.ts';

/** Uptime after which a crash counts as a new failure rather than part of a crash loop. */
const STABLE_MS = 10_000;
/** Fresh ports tried after a drawn one was taken by another process before the instance bound it. */
export const PORT_CLASH_RETRIES = 3;
/** How Node, Python, Go, Java and Rust word a bind to a port already taken. */
export const ADDRESS_IN_USE = /EADDRINUSE|address already in use|BindException/i;

export interface ReadyInfo {
  address?: string;
  registryId?: string;
}

export interface SupervisorDeps {
  runtime: Runtime;
  clock: Clock;
  /**
   * Environment for one start (a fresh MICRO_SERVER_ID and server address each time). `portDrawn`: the
   * server port was drawn free for this start (not fixed by the topology), so another can be drawn.
   */
  env: () => Promise<{ env: Record<string, string>; serverId: string; serverAddress: string; portDrawn?: boolean }>;
  /** Sends the instance's traffic to serverAddress from now on (its inbound link); before a start, or after a reload is ready. */
  activate: (serverAddress: string) => void;
  /** Resolves when the started instance is ready; rejects with a message naming the limit. */
  readiness: (started: StartedInstance, serverId: string, signal: AbortSignal) => Promise<ReadyInfo>;
  report: (view: InstanceView, message?: string) => void;
  log: (line: LogLine) => void;
  /** A start that cannot become ready goes through the restart policy (instead of failing for good). */
  retryStartFailures?: boolean;
  /** The instance's last few output lines, shown with a failure (oldest first). */
  lastLines?: () => string[];
}

export class InstanceSupervisor {
  readonly name: string;
  readonly service: ServiceConfig;
  readonly #deps: SupervisorDeps;
  #view: InstanceView;
  #current?: StartedInstance;
  #attempt?: AbortController;
  #backoffTimer?: Timer;
  #consecutiveFailures = 0;
  #reload?: AbortController;
  #reloading?: Promise<void>;
  /** When the current generation became ready; a crash after STABLE_MS of uptime starts a fresh backoff. */
  #readyAt?: number;
  #wanted = false;
  /** True from start() until that start is ready or failed: an exit then fails start() instead of restarting. */
  #firstStart = false;

  constructor(name: string, service: ServiceConfig, deps: SupervisorDeps) {
    this.name = name;
    this.service = service;
    this.#deps = deps;
    this.#view = {
      instance: name,
      service: service.name,
      tier: service.tier,
      runtime: service.runtime,
      state: 'pending',
      restarts: 0,
      faults: [],
      ...(service.watch ? { watched: true } : {}),
    };
  }

  get view(): InstanceView {
    return this.#view;
  }

  get started(): StartedInstance | undefined {
    return this.#current;
  }

  /** Starts and resolves once ready; rejects (state failed) if the first start cannot become ready. */
  async start(): Promise<void> {
    this.#wanted = true;
    this.#view = { ...this.#view, waitingFor: undefined };
    this.#readyAt = undefined;
    this.#consecutiveFailures = 0;
    this.#firstStart = true;
    try {
      await this.#startOnce();
    } finally {
      this.#firstStart = false;
    }
  }

  /** Reports the instance as declared but not started yet, waiting for those services; no progress line. */
  pend(waitingFor: string[]): void {
    if (this.#current || this.#wanted) return;
    this.#view = { ...this.#view, state: 'pending', waitingFor };
    this.#deps.report(this.#view);
  }

  /** Reports the instance as not started on purpose (`up SERVICE...` left it out); no progress line. */
  park(): void {
    if (this.#current || this.#wanted) return;
    this.#view = { ...this.#view, state: 'stopped', waitingFor: undefined };
    this.#deps.report(this.#view);
  }

  /** Graceful stop; no restart follows. */
  async stop(): Promise<void> {
    this.#wanted = false;
    this.#backoffTimer?.cancel();
    this.#attempt?.abort(new Error(`${this.name} stopped`));
    // A reload in flight would otherwise finish starting its next generation after this stop and leave it running.
    this.#reload?.abort(new Error(`${this.name} stopped`));
    await this.#reloading;
    const current = this.#current;
    if (!current) {
      if (this.#view.state !== 'pending') this.#set('stopped');
      return;
    }
    this.#set('stopping');
    await current.stop(this.service.stopTimeoutMs);
    this.#current = undefined;
    this.#set('stopped', 'stopped');
  }

  /** Hard kill (SIGKILL / terminate); the restart policy then applies as for a crash. */
  kill(): void {
    this.#current?.kill();
  }

  async restart(): Promise<void> {
    await this.stop();
    this.#view = { ...this.#view, restarts: this.#view.restarts + 1 };
    await this.start();
  }

  /**
   * Blue-green reload: starts the next generation beside the current one, waits until it is ready, moves
   * traffic to it, then stops the old one gracefully (it deregisters and drains). If the new one fails, the
   * old one keeps serving and the error is reported. A reload requested while one is in flight cancels it:
   * a burst of saves ends with the last version serving, not a pile of half-started instances.
   * Resolves true when the new generation serves, false when the old one still does.
   */
  async replace(): Promise<boolean> {
    const old = this.#current;
    if (!old || this.#view.state !== 'ready') {
      await this.restart();
      return this.#view.state === 'ready';
    }
    this.#reload?.abort(new Error(`${this.name}: superseded by a newer reload`));
    const reload = new AbortController();
    this.#reload = reload;
    let settle!: () => void;
    const reloading = (this.#reloading = new Promise<void>((resolve) => (settle = resolve)));
    let next: StartedInstance | undefined;
    try {
      let prepared: Awaited<ReturnType<SupervisorDeps['env']>>;
      let ready: ReadyInfo;
      for (let portClashes = 0; ; portClashes++) {
        prepared = await this.#deps.env();
        reload.signal.throwIfAborted();
        next = await this.#deps.runtime.start({ instance: this.name, service: this.service, env: prepared.env }, { signal: reload.signal });
        next.onLog((line) => this.#deps.log(line));
        try {
          ready = await this.#deps.readiness(next, prepared.serverId, reload.signal);
          break;
        } catch (error) {
          if (reload.signal.aborted || portClashes >= PORT_CLASH_RETRIES || !lostItsPort(prepared, error)) throw error;
          await next.stop(this.service.stopTimeoutMs);
          next = undefined;
          this.#deps.report(this.#view, `reload: ${portLost(prepared)}`);
        }
      }
      const started = next;
      reload.signal.throwIfAborted();
      if (this.#current !== old) throw new Error(`${this.name} changed while reloading`);
      this.#deps.activate(prepared.serverAddress);
      this.#current = started;
      void started.exited.then((exit) => this.#onExit(started, exit.code, exit.signal, exit.requested, tellingLine(exitLines(exit))));
      this.#view = { ...this.#view, ref: started.ref, address: ready.address, registryId: ready.registryId, lastError: undefined };
      this.#set('ready', `reloaded: new version ready at ${ready.address ?? '?'}`);
      await old.stop(this.service.stopTimeoutMs);
      return true;
    } catch (error) {
      if (next && this.#current !== next) await next.stop(this.service.stopTimeoutMs);
      if (reload.signal.aborted) return false;
      this.#view = { ...this.#view, lastError: `reload failed: ${messageOf(error)}` };
      this.#set(this.#view.state, `reload failed, previous version still serving: ${messageOf(error)}`);
      return false;
    } finally {
      if (this.#reload === reload) this.#reload = undefined;
      if (this.#reloading === reloading) this.#reloading = undefined;
      settle();
    }
  }

  async pause(): Promise<void> {
    if (!this.#current) throw new Error(`${this.name} is not running`);
    await this.#current.pause();
    this.#set('paused', 'paused (SIGSTOP)');
  }

  async resume(): Promise<void> {
    if (!this.#current) throw new Error(`${this.name} is not running`);
    await this.#current.resume();
    this.#set('ready', 'resumed');
  }

  /** Registry-derived fields (heartbeat age, lease, passing/critical) merged in by the engine. */
  update(patch: Partial<InstanceView>): void {
    const next = { ...this.#view, ...patch };
    if (JSON.stringify(next) !== JSON.stringify(this.#view)) {
      this.#view = next;
      this.#deps.report(this.#view);
    }
  }

  async #startOnce(portClashes = 0): Promise<void> {
    const attempt = new AbortController();
    this.#attempt = attempt;
    if (portClashes === 0) this.#set('starting', 'starting');
    let started: StartedInstance;
    let serverId: string;
    let prepared: Awaited<ReturnType<SupervisorDeps['env']>>;
    try {
      prepared = await this.#deps.env();
      serverId = prepared.serverId;
      const env = prepared.env;
      this.#deps.activate(prepared.serverAddress);
      started = await this.#deps.runtime.start(
        { instance: this.name, service: this.service, env },
        { signal: attempt.signal },
      );
    } catch (error) {
      if (attempt.signal.aborted) throw error;
      if (this.#deps.retryStartFailures && this.#wanted) {
        this.#afterFailure(`failed to start: ${messageOf(error)}`, messageOf(error));
      } else {
        this.#set('failed', `failed to start: ${messageOf(error)}`, messageOf(error));
      }
      throw error;
    }
    this.#current = started;
    this.#view = { ...this.#view, ref: started.ref, address: undefined, registryId: undefined };
    started.onLog((line) => this.#deps.log(line));
    void started.exited.then((exit) => this.#onExit(started, exit.code, exit.signal, exit.requested, tellingLine(exitLines(exit))));
    try {
      const ready = await this.#deps.readiness(started, serverId, attempt.signal);
      if (this.#current !== started) return;
      this.#readyAt = this.#deps.clock.now();
      this.#view = { ...this.#view, address: ready.address, registryId: ready.registryId, lastError: undefined };
      this.#set('ready', `ready at ${ready.address ?? '?'}`);
    } catch (error) {
      if (attempt.signal.aborted || this.#current !== started) return;
      this.#current = undefined;
      if (portClashes < PORT_CLASH_RETRIES && lostItsPort(prepared, error)) {
        await started.stop(this.service.stopTimeoutMs);
        if (!this.#wanted) throw error;
        this.#deps.report(this.#view, portLost(prepared));
        return this.#startOnce(portClashes + 1);
      }
      if (this.#deps.retryStartFailures && this.#wanted) {
        await started.stop(this.service.stopTimeoutMs);
        if (this.#wanted) this.#afterFailure(messageOf(error), messageOf(error));
        throw error;
      }
      this.#set('failed', messageOf(error), messageOf(error));
      this.#wanted = false;
      await started.stop(this.service.stopTimeoutMs);
      throw error;
    }
  }

  #onExit(started: StartedInstance, code: number | null, signal: string | null, requested: boolean, telling?: string): void {
    if (this.#current !== started) return;
    // An instance that dies before it is ready is a start failure, not a crash: the readiness wait sees the
    // exit and rejects with the instance's telling line (then start() fails, or the policy retries it).
    const beforeReady = this.#readyAt === undefined && !requested;
    if (beforeReady && (this.#firstStart || this.#deps.retryStartFailures)) return;
    this.#current = undefined;
    if (requested || !this.#wanted) return;
    if (this.#readyAt !== undefined && this.#deps.clock.now() - this.#readyAt >= STABLE_MS) this.#consecutiveFailures = 0;
    this.#readyAt = undefined;
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
    const failure = signal !== null || code !== 0;
    this.#afterFailure(how, telling ? `${how}: ${telling}` : how, failure);
  }

  /** The restart policy after a crash or a failed start: a restart after backoff, or failed (stopped for a clean exit). */
  #afterFailure(how: string, lastError: string, failure = true): void {
    const policy = this.service.restart;
    const restartable =
      policy.policy === 'always' || (policy.policy === 'on-failure' && failure);
    if (!restartable || this.#consecutiveFailures >= policy.maxRestarts) {
      const why = restartable ? `${how}; gave up after ${policy.maxRestarts} restarts` : how;
      this.#set(failure ? 'failed' : 'stopped', why, lastError);
      return;
    }
    const delay = Math.min(policy.backoffMs * 2 ** this.#consecutiveFailures, policy.backoffMaxMs);
    this.#consecutiveFailures++;
    this.#set('crashed', `${how}; restarting in ${delay} ms`, lastError);
    this.#set('backoff');
    this.#backoffTimer = this.#deps.clock.setTimeout(() => {
      if (!this.#wanted) return;
      this.#view = { ...this.#view, restarts: this.#view.restarts + 1 };
      this.#startOnce().catch(() => {
        /* reported as failed by #startOnce */
      });
    }, delay);
  }

  #set(state: InstanceState, message?: string, lastError?: string): void {
    const failing = lastError !== undefined && (state === 'failed' || state === 'crashed');
    const lastLines = failing ? this.#deps.lastLines?.() : undefined;
    this.#view = {
      ...this.#view,
      state,
      ...(lastError !== undefined ? { lastError } : {}),
      ...(lastLines ? { lastLines } : state === 'ready' ? { lastLines: undefined } : {}),
    };
    this.#deps.report(this.#view, message);
  }
}

/**
 * The start failed because its drawn port was taken before the instance bound it: the readiness error
 * carries the instance's telling line ("exited with code 1 before it was ready: OSError: [Errno 98] ...").
 */
function lostItsPort(prepared: { portDrawn?: boolean }, error: unknown): boolean {
  return prepared.portDrawn === true && ADDRESS_IN_USE.test(messageOf(error));
}

function portLost(prepared: { serverAddress: string }): string {
  const port = prepared.serverAddress.slice(prepared.serverAddress.lastIndexOf(':') + 1);
  return `port ${port} was taken by another process before the instance bound it; starting again on a fresh port`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
