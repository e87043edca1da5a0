import type { EngineEvent, Snapshot } from '../engine/api.ts';
import type { LogEntry } from './lines/log-lines.ts';
import { LogRing } from './log-ring.ts';

export type ApiUpdate = { snapshot: Snapshot } | { event: EngineEvent };

/**
 * What the dashboard shows, folded from the engine's snapshot + events. apply() is cheap and never
 * renders: the throttled-state hook calls it per event and re-renders on a timer. `version` grows on
 * every change so the hook knows whether a frame is due.
 */
export class DashboardState {
  snapshot: Snapshot;
  readonly logs: LogRing<LogEntry>;
  shutdown = false;
  version = 0;

  constructor(snapshot: Snapshot, logs: readonly LogEntry[], capacity: number) {
    this.snapshot = snapshot;
    this.logs = new LogRing<LogEntry>(capacity);
    for (const l of logs.slice(-capacity)) this.logs.push({ ...l });
  }

  apply(update: ApiUpdate): void {
    this.version++;
    if ('snapshot' in update) {
      this.snapshot = update.snapshot;
      return;
    }
    const e = update.event;
    const s = this.snapshot;
    switch (e.type) {
      case 'instance': {
        const i = s.instances.findIndex((v) => v.instance === e.view.instance);
        if (i >= 0) s.instances[i] = e.view;
        else s.instances.push(e.view);
        if (e.message) this.logs.push({ instance: e.view.instance, stream: 'event', line: e.message, at: e.at });
        break;
      }
      case 'log':
        this.logs.push({ instance: e.instance, stream: e.stream, line: e.line, at: e.at });
        break;
      case 'registry':
        s.registry = e.view;
        if (e.message) this.logs.push({ instance: 'registry', stream: 'event', line: e.message, at: e.at });
        break;
      case 'traffic':
        s.gatewayRps = e.gatewayRps;
        s.services = e.services;
        break;
      case 'scenario':
        s.scenario = e.view;
        if (e.message) this.logs.push({ instance: 'scenario', stream: 'event', line: e.message, at: e.at });
        break;
      case 'ready':
        s.ready = true;
        s.urls = e.urls;
        break;
      case 'shutdown':
        this.shutdown = true;
        break;
    }
  }
}
