/**
 * A tiny OrchestratorApi on the real Store for control-API tests: records every command it receives and turns
 * `kill` into a crashed-instance event. No engine, no runtimes; stops with nothing to clean up.
 */
import { Store } from '../../runner/engine/store.ts';
import { LogBuffer } from '../../runner/engine/log-buffer.ts';
import type { Command, OrchestratorApi, Snapshot } from '../../runner/engine/api.ts';
import { TraceStore } from '../../runner/traces/trace-store.ts';

export const demoSnapshot: Snapshot = {
  topology: 'demo',
  startedAt: 1,
  ready: true,
  urls: { gateway: 'http://g', proxy: 'http://p', web: 'http://w', registry: 'http://r' },
  instances: [],
  registry: { kind: 'embedded', semantics: 'consul', address: 'r', passing: 0, critical: 0 },
  gatewayRps: [],
};

export function storeBackedApi(): OrchestratorApi & { store: Store; received: Command[]; traceStore: TraceStore } {
  const traceStore = new TraceStore();
  const store = new Store(structuredClone(demoSnapshot));
  const logs = new LogBuffer(10);
  logs.push({ instance: 'greeter-srv-1', stream: 'stdout', line: 'hello', at: 1 });
  const received: Command[] = [];
  return {
    store,
    received,
    traceStore,
    traces: async (query) => traceStore.list(query),
    trace: async (id) => traceStore.get(id),
    snapshot: () => structuredClone(store.state),
    subscribe: (listener) => store.subscribe(listener),
    logs: (instance, limit) => logs.recent(instance, limit),
    async command(command) {
      received.push(command);
      if (command.type === 'kill' && typeof command.instance === 'string') {
        store.dispatch({
          type: 'instance',
          view: { instance: command.instance, service: 's', tier: 'srv', runtime: 'worker', state: 'crashed', restarts: 0, faults: [] },
        });
      }
      return { ok: true, message: `${command.type} done` };
    },
  };
}
