/**
 * Store: the engine's single writer. Actions go through a pure reducer; subscribers get a snapshot first and
 * then every event after it, with no gap.
 *
 *   dispatch(action) ──> reduce(state, action) ──> state'
 *                                   └──> event ──> subscribers (each behind its own bounded queue)
 *
 * A subscriber never blocks the engine: events are delivered on a microtask; a subscriber that throws is
 * dropped.
 */
import type { EngineEvent, InstanceView, RegistryView, ScenarioView, Snapshot, TrafficStats } from './api.ts';

export type Action =
  | { type: 'instance'; view: InstanceView; message?: string }
  | { type: 'instance-removed'; instance: string }
  | { type: 'registry'; view: RegistryView; message?: string }
  | { type: 'traffic'; gatewayRps: number[]; services?: Record<string, TrafficStats> }
  | { type: 'scenario'; view: ScenarioView | undefined; message?: string }
  | { type: 'ready'; urls: Snapshot['urls'] }
  | { type: 'log'; instance: string; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'shutdown' };

export type Update = { snapshot: Snapshot } | { event: EngineEvent };
export type Listener = (update: Update) => void;

/** Pure: the next state for an action. Log lines do not change the snapshot. */
export function reduce(state: Snapshot, action: Action): Snapshot {
  switch (action.type) {
    case 'instance': {
      // An instance's tier and name never change: a known one keeps its place (no sort per update, which
      // with a thousand instances and a tick each per second cost most of the engine's time).
      const at = state.instances.findIndex((i) => i.instance === action.view.instance);
      if (at >= 0) return { ...state, instances: state.instances.with(at, action.view) };
      return { ...state, instances: [...state.instances, action.view].sort(byTierThenName) };
    }
    case 'instance-removed':
      return { ...state, instances: state.instances.filter((i) => i.instance !== action.instance) };
    case 'registry':
      return { ...state, registry: action.view };
    case 'traffic':
      return { ...state, gatewayRps: action.gatewayRps.slice(-60), services: action.services ?? {} };
    case 'scenario':
      return { ...state, scenario: action.view };
    case 'ready':
      return { ...state, ready: true, urls: action.urls };
    case 'log':
    case 'shutdown':
      return state;
  }
}

const tierOrder = { web: 0, api: 1, srv: 2, other: 3 } as const;
// One collator: localeCompare with options builds one per call.
const byName = new Intl.Collator('en', { numeric: true }).compare;
function byTierThenName(a: InstanceView, b: InstanceView): number {
  return tierOrder[a.tier] - tierOrder[b.tier] || byName(a.instance, b.instance);
}

function toEvent(action: Action, at: number): EngineEvent | undefined {
  switch (action.type) {
    case 'instance':
      return { type: 'instance', at, view: action.view, message: action.message };
    case 'registry':
      return { type: 'registry', at, view: action.view, message: action.message };
    case 'traffic':
      return { type: 'traffic', at, gatewayRps: action.gatewayRps, services: action.services ?? {} };
    case 'scenario':
      return action.view ? { type: 'scenario', at, view: action.view, message: action.message } : undefined;
    case 'ready':
      return { type: 'ready', at, urls: action.urls };
    case 'log':
      return { type: 'log', at, instance: action.instance, stream: action.stream, line: action.line };
    case 'shutdown':
      return { type: 'shutdown', at };
    case 'instance-removed':
      return undefined;
  }
}

export class Store {
  #state: Snapshot;
  #listeners = new Set<Listener>();
  readonly #now: () => number;

  constructor(initial: Snapshot, now: () => number = Date.now) {
    this.#state = initial;
    this.#now = now;
  }

  get state(): Snapshot {
    return this.#state;
  }

  dispatch(action: Action): void {
    this.#state = reduce(this.#state, action);
    const event = toEvent(action, this.#now());
    if (!event) return;
    for (const listener of this.#listeners) this.#deliver(listener, { event });
  }

  /** Snapshot now (synchronously), then every later event. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    this.#deliver(listener, { snapshot: structuredClone(this.#state) }, true);
    return () => this.#listeners.delete(listener);
  }

  #deliver(listener: Listener, update: Update, sync = false): void {
    const run = () => {
      if (!this.#listeners.has(listener)) return;
      try {
        listener(update);
      } catch {
        this.#listeners.delete(listener);
      }
    };
    if (sync) run();
    else queueMicrotask(run);
  }
}
