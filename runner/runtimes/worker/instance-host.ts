/**
 * InstanceHost: the module a packed worker thread runs. It hosts many service instances in one thread,
 * each in an AsyncLocalStorage context of its own, so each keeps its own env, server, port, registration,
 * heartbeats and output, and can stop or die alone.
 *
 *   main ──{start id url env}──> host: als.run(ctx, import(url?instance=id))   (a fresh module per instance)
 *        ──{stop id}──────────> the instance's own parentPort 'message' listeners get {type:'stop'}
 *        ──{kill id}──────────> its servers closed, sockets destroyed, timers cleared, new ones refused
 *   host ──{started id} (paced: STARTING at a time), {log id stream text}, {exit id code killed}──> main
 *
 * What an instance sees through its context: `process.env` (a view on its own env), `parentPort` listeners
 * (only its own get its stop), `process.stdout/stderr.write` (tagged with its id), `process.exit(code)`
 * (ends it alone). An instance has exited when its module settled and no socket, server or ref'd timer it
 * created is left, as a thread ends when nothing keeps it alive. An uncaught error in its callbacks ends it
 * alone with code 1. Not isolated: the heap, the event loop and module state of shared imports (a busy loop
 * in one instance stalls its neighbours; use dedicated threads or processes for such services).
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { describeError } from './error-location.ts';

interface Context {
  id: string;
  env: Record<string, string>;
  /** Sockets, servers and timers this instance created and that are still open. */
  resources: Map<number, { type: string; resource: object }>;
  stopListeners: Set<(m: unknown) => void>;
  settled: boolean;
  dead: boolean;
  /** Resolves once the instance listens, settles or ends: the next start may begin (see `startNext`). */
  begun: () => void;
}

export type HostRequest = { type: 'start'; id: string; url: string; env: Record<string, string> } | { type: 'stop' | 'kill'; id: string };
export type HostEvent =
  | { type: 'started'; id: string }
  | { type: 'log'; id: string; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'exit'; id: string; code: number; killed: boolean };

const port = parentPort!;

/**
 * On Linux a thread has a nice value of its own (setpriority(PRIO_PROCESS, 0) changes only the calling
 * thread): host threads yield to micro-dev's own thread, which carries the registry, links, gateway and
 * readiness checks of every instance. With a thousand instances importing and registering on a busy 2-core
 * machine, ten host threads at equal priority starved that one thread for seconds at a time, readiness
 * timed out and the restarts fed the jam (issue 13). Elsewhere the call would renice the whole process.
 */
export const HOST_NICE = 10;
if (process.platform === 'linux') {
  try {
    setPriority(HOST_NICE);
  } catch {
    // not allowed here (a container without the capability to renice): equal priority, as before
  }
}

// undici keeps one shared clock timer, created by the first request that needs it and refreshed ever
// after; made here, outside any instance, it belongs to no one (a kill clears what its instance created).
const undiciTimers = createRequire(import.meta.url)('undici/lib/util/timers.js') as {
  setFastTimeout(fn: () => void, ms: number): unknown;
  clearFastTimeout(t: unknown): void;
};
undiciTimers.clearFastTimeout(undiciTimers.setFastTimeout(() => undefined, 1));
const als = new AsyncLocalStorage<Context>();
const contexts = new Map<string, Context>();
const owners = new Map<number, Context>();
const TRACKED = new Set(['TCPSERVERWRAP', 'TCPWRAP', 'PIPEWRAP', 'Timeout']);
const hostEnv = process.env;
const post = (e: HostEvent) => port.postMessage(e);

/** node keeps the net.Server / net.Socket behind a handle under a symbol described as `owner_symbol`. */
function ownerOf(handle: object): { destroy?: () => void; close?: () => void } | undefined {
  const sym = Object.getOwnPropertySymbols(handle).find((s) => s.description === 'owner_symbol');
  return sym ? (handle as Record<symbol, { destroy?: () => void; close?: () => void }>)[sym] : undefined;
}

function release(type: string, resource: object): void {
  try {
    if (type === 'Timeout') {
      // node's http Date-header cache re-arms a shared unref'd timer from whichever request needs it:
      // clearing that one would freeze the Date header of every instance in the thread.
      const timer = resource as NodeJS.Timeout & { _onTimeout?: { name?: string } };
      if (timer._onTimeout?.name !== 'resetCache') clearTimeout(timer);
      return;
    }
    const owner = ownerOf(resource);
    if (owner?.destroy) owner.destroy();
    else owner?.close?.();
  } catch {
    // already closed
  }
}

createHook({
  init(asyncId, type, _trigger, resource) {
    if (!TRACKED.has(type)) return;
    const ctx = als.getStore();
    if (!ctx) return;
    if (ctx.dead) {
      // A killed instance's leftover continuation opening a socket or arming a timer: refuse it.
      setImmediate(() => release(type, resource));
      return;
    }
    ctx.resources.set(asyncId, { type, resource });
    owners.set(asyncId, ctx);
    if (type === 'TCPSERVERWRAP') ctx.begun();
  },
  destroy(asyncId) {
    const ctx = owners.get(asyncId);
    if (!ctx) return;
    owners.delete(asyncId);
    ctx.resources.delete(asyncId);
    if (ctx.settled) maybeExited(ctx);
  },
}).enable();

function alive(ctx: Context): boolean {
  for (const { type, resource } of ctx.resources.values()) {
    if (type !== 'Timeout' || (resource as NodeJS.Timeout).hasRef()) return true;
  }
  return false;
}

function maybeExited(ctx: Context): void {
  if (!ctx.dead && !alive(ctx)) finish(ctx, 0, false);
}

function finish(ctx: Context, code: number, killed: boolean): void {
  if (!contexts.has(ctx.id)) return;
  contexts.delete(ctx.id);
  ctx.dead = true;
  for (const [asyncId, { type, resource }] of ctx.resources) {
    owners.delete(asyncId);
    release(type, resource);
  }
  ctx.resources.clear();
  ctx.stopListeners.clear();
  ctx.begun();
  post({ type: 'exit', id: ctx.id, code, killed });
}

function crash(ctx: Context, error: unknown): void {
  post({ type: 'log', id: ctx.id, stream: 'stderr', text: `${describeError(error)}\n` });
  finish(ctx, 1, false);
}

// process.env: each instance reads its own env (the kit reads MICRO_* at newService, inside the context).
const envOf = () => als.getStore()?.env ?? hostEnv;
process.env = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_t, key) => (typeof key === 'string' ? envOf()[key] : undefined),
  set: (_t, key, value) => {
    if (typeof key === 'string') envOf()[key] = String(value);
    return true;
  },
  has: (_t, key) => typeof key === 'string' && key in envOf(),
  deleteProperty: (_t, key) => (typeof key === 'string' ? delete envOf()[key] : true),
  ownKeys: () => Object.keys(envOf()),
  getOwnPropertyDescriptor: (_t, key) =>
    typeof key === 'string' && key in envOf() ? { value: envOf()[key], enumerable: true, configurable: true, writable: true } : undefined,
});

// Output: tagged with the instance, so the main thread can split it per instance.
for (const stream of ['stdout', 'stderr'] as const) {
  const target = process[stream];
  const write = target.write.bind(target) as (chunk: unknown, ...rest: unknown[]) => boolean;
  target.write = ((chunk: unknown, ...rest: unknown[]) => {
    const ctx = als.getStore();
    if (!ctx) return write(chunk, ...rest);
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (!ctx.dead) post({ type: 'log', id: ctx.id, stream, text });
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof target.write;
}

// parentPort: an instance's 'message' listeners are its own; only its stop reaches them.
const portOn = port.on.bind(port);
const portOff = port.off.bind(port);
const ownListen = (event: string | symbol, listener: (m: unknown) => void) => {
  const ctx = als.getStore();
  if (!ctx || event !== 'message') return false;
  ctx.stopListeners.add(listener);
  return true;
};
port.on = port.addListener = ((event: string, listener: (m: unknown) => void) => {
  if (!ownListen(event, listener)) portOn(event, listener);
  return port;
}) as typeof port.on;
port.off = port.removeListener = ((event: string, listener: (m: unknown) => void) => {
  const ctx = als.getStore();
  if (ctx && event === 'message') ctx.stopListeners.delete(listener);
  else portOff(event, listener);
  return port;
}) as typeof port.off;
// An instance letting go of its port (unref, close) must not let the host's port go.
const portUnref = port.unref.bind(port);
const portClose = port.close.bind(port);
port.unref = () => {
  if (!als.getStore()) portUnref();
};
port.close = () => {
  const ctx = als.getStore();
  if (ctx) ctx.stopListeners.clear();
  else portClose();
};

const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const ctx = als.getStore();
  if (!ctx) return exit(code ?? undefined);
  finish(ctx, Number(code ?? 0) || 0, false);
  // Unwind the caller as an exiting thread would; the host ignores this error (the instance is gone).
  throw new InstanceExited();
}) as typeof process.exit;

class InstanceExited extends Error {}

process.on('uncaughtException', (error) => {
  const ctx = als.getStore();
  if (error instanceof InstanceExited) return;
  if (ctx) return crash(ctx, error);
  post({ type: 'log', id: '', stream: 'stderr', text: `instance host: ${String(error)}\n` });
});
process.on('unhandledRejection', (reason) => {
  const ctx = als.getStore();
  if (reason instanceof InstanceExited) return;
  if (ctx && contexts.has(ctx.id)) return crash(ctx, reason);
  // Without a context we cannot tell whose it was: report it and keep the neighbours running.
  post({ type: 'log', id: '', stream: 'stderr', text: `instance host: unhandled rejection ${String(reason)}\n` });
});

/**
 * Starts are paced: at most STARTING instances of this thread load and bind at once, the next begins when
 * one listens (or settles, or after BEGIN_MS). A thousand imports at once would starve every heartbeat in
 * the thread and time out readiness; the engine's readiness clock starts at 'started'.
 */
const STARTING = 4;
const BEGIN_MS = 2_000;
const queue: Extract<HostRequest, { type: 'start' }>[] = [];
let starting = 0;
/** A restart imports the module again: a new URL, or the module cache would hand back the finished one. */
let generation = 0;

function startNext(): void {
  while (starting < STARTING && queue.length > 0) {
    const m = queue.shift()!;
    starting++;
    let done = false;
    const timer = setTimeout(() => begun(), BEGIN_MS);
    const begun = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      starting--;
      startNext();
    };
    const ctx: Context = { id: m.id, env: { ...m.env }, resources: new Map(), stopListeners: new Set(), settled: false, dead: false, begun };
    contexts.set(m.id, ctx);
    post({ type: 'started', id: m.id });
    const url = `${m.url}${m.url.includes('?') ? '&' : '?'}instance=${encodeURIComponent(m.id)}&generation=${++generation}`;
    als.run(ctx, () =>
      import(url).then(
        () => {
          ctx.settled = true;
          begun();
          maybeExited(ctx);
        },
        (error: unknown) => {
          ctx.settled = true;
          begun();
          if (error instanceof InstanceExited) return;
          if (contexts.has(ctx.id)) crash(ctx, error);
        },
      ),
    );
  }
}

portOn('message', (m: HostRequest) => {
  if (m.type === 'start') {
    queue.push(m);
    return startNext();
  }
  const ctx = contexts.get(m.id);
  if (!ctx) {
    // Stopped or killed while still queued: it never ran.
    const at = queue.findIndex((q) => q.id === m.id);
    if (at >= 0) {
      queue.splice(at, 1);
      post({ type: 'exit', id: m.id, code: m.type === 'kill' ? 1 : 0, killed: m.type === 'kill' });
    }
    return;
  }
  if (m.type === 'kill') return finish(ctx, 1, true);
  // Delivered inside the instance's context, as its own message.
  als.run(ctx, () => {
    for (const listener of [...ctx.stopListeners]) listener({ type: 'stop' });
  });
});
