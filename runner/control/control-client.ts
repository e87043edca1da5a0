/**
 * RemoteOrchestrator: the OrchestratorApi of an `up` running elsewhere, reached through its control API.
 * It keeps a local copy of the state (snapshot + events through the same reducer the engine uses), so
 * snapshot() and logs() stay synchronous as the interface promises.
 */
import WebSocket from 'ws';
import type { Command, CommandResult, EngineEvent, OrchestratorApi, Snapshot, TraceDetail, TraceQuery, TraceSummary } from '../engine/api.ts';
import { reduce, type Action, type Update } from '../engine/store.ts';
import { LogBuffer } from '../engine/log-buffer.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { RunInfo } from './run-file.ts';

export class RemoteOrchestrator implements OrchestratorApi {
  readonly #info: RunInfo;
  #state: Snapshot;
  readonly #logs = new LogBuffer(2000);
  readonly #listeners = new Set<(update: Update) => void>();
  readonly #ws: WebSocket;

  private constructor(info: RunInfo, ws: WebSocket, first: Snapshot) {
    this.#info = info;
    this.#ws = ws;
    this.#state = first;
  }

  /** Connects and resolves after the first snapshot arrived (or rejects within timeoutMs). */
  static async connect(info: RunInfo, timeoutMs = 5000): Promise<RemoteOrchestrator> {
    const ws = new WebSocket(info.controlUrl.replace(/^http/, 'ws') + '/api/events', {
      headers: { authorization: `Bearer ${info.token}` },
    });
    const first = await new Promise<Snapshot>((resolve, reject) => {
      const timer = setTimeout(() => reject(notReachable(info, `no answer in ${timeoutMs} ms`)), timeoutMs);
      ws.once('message', (data) => {
        clearTimeout(timer);
        const update = JSON.parse(String(data)) as Update;
        if ('snapshot' in update) resolve(update.snapshot);
        else reject(notReachable(info, 'unexpected first message'));
      });
      ws.once('error', (error) => {
        clearTimeout(timer);
        reject(notReachable(info, error.message));
      });
    });
    const remote = new RemoteOrchestrator(info, ws, first);
    const history = await remote.#get<{ instance: string; stream: 'stdout' | 'stderr'; line: string; at: number }[]>(
      '/api/logs?limit=2000',
    );
    history.forEach((l) => remote.#logs.push(l));
    ws.on('message', (data) => remote.#apply(JSON.parse(String(data)) as Update));
    ws.on('close', () => remote.#apply({ event: { type: 'shutdown', at: Date.now() } }));
    return remote;
  }

  snapshot(): Snapshot {
    return structuredClone(this.#state);
  }

  subscribe(listener: (update: Update) => void): () => void {
    this.#listeners.add(listener);
    listener({ snapshot: this.snapshot() });
    return () => this.#listeners.delete(listener);
  }

  async command(command: Command): Promise<CommandResult> {
    const res = await fetch(`${this.#info.controlUrl}/api/command`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.#info.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(command),
    });
    return (await res.json()) as CommandResult;
  }

  logs(instance?: string, limit?: number) {
    return this.#logs.recent(instance, limit);
  }

  traces(query: TraceQuery = {}): Promise<TraceSummary[]> {
    return this.#get<TraceSummary[]>(`/api/traces?${traceQueryString(query)}`);
  }

  async trace(id: string): Promise<TraceDetail | undefined> {
    const res = await fetch(`${this.#info.controlUrl}/api/traces/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${this.#info.token}` } });
    if (res.status === 404) return undefined;
    return (await res.json()) as TraceDetail;
  }

  close(): void {
    this.#ws.close();
  }

  #apply(update: Update): void {
    if ('snapshot' in update) this.#state = update.snapshot;
    else {
      const action = actionOf(update.event);
      if (action) this.#state = reduce(this.#state, action);
      if (update.event.type === 'log') this.#logs.push(update.event);
    }
    for (const listener of this.#listeners) listener(update);
  }

  async #get<T>(path: string): Promise<T> {
    const res = await fetch(this.#info.controlUrl + path, { headers: { authorization: `Bearer ${this.#info.token}` } });
    return (await res.json()) as T;
  }
}

function actionOf(event: EngineEvent): Action | undefined {
  switch (event.type) {
    case 'instance':
      return { type: 'instance', view: event.view };
    case 'registry':
      return { type: 'registry', view: event.view };
    case 'traffic':
      return { type: 'traffic', gatewayRps: event.gatewayRps, services: event.services };
    case 'scenario':
      return { type: 'scenario', view: event.view };
    case 'ready':
      return { type: 'ready', urls: event.urls };
    default:
      return undefined;
  }
}

function notReachable(info: RunInfo, why: string): MicroDevError {
  return new MicroDevError('NOT_RUNNING', `micro-dev up (pid ${info.pid}) is not answering at ${info.controlUrl}: ${why}`);
}

/** A TraceQuery as the control API's query string (`failed=1&service=greeter-srv&limit=20`). */
export function traceQueryString(q: TraceQuery): string {
  const p = new URLSearchParams();
  if (q.failed) p.set('failed', '1');
  if (q.slow) p.set('slow', '1');
  if (q.service !== undefined) p.set('service', q.service);
  if (q.sinceMs !== undefined) p.set('since', String(q.sinceMs));
  if (q.untilMs !== undefined) p.set('until', String(q.untilMs));
  if (q.limit !== undefined) p.set('limit', String(q.limit));
  return p.toString();
}

/** One-shot control call without keeping a connection (status, down). */
export async function controlRequest<T>(info: RunInfo, path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(info.controlUrl + path, {
      ...init,
      headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(5000),
    });
  } catch (error) {
    throw notReachable(info, error instanceof Error ? error.message : String(error));
  }
  return (await res.json()) as T;
}
