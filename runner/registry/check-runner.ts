import { connect } from 'node:net';
import type { Clock, Timer } from '../clock/clock.ts';
import type { RegistryCore } from './registry-core.ts';
import type { CheckRecord, CheckStatus } from './registry-types.ts';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * CheckRunner: runs HTTP and TCP interval checks on the lease clock, as Consul's agent does: first probe
 * after a random stagger in [0, Interval), then every Interval; one probe in flight per check; HTTP 2xx =
 * passing, 429 = warning, anything else (or a timeout) = critical. Other probe types (script, gRPC, UDP,
 * alias...) are not run: they keep their registered status. stop() cancels every timer.
 */
export class CheckRunner {
  readonly #core: RegistryCore;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #timers = new Map<string, Timer>();
  #stopped = false;

  constructor(core: RegistryCore, clock: Clock, random: () => number = Math.random) {
    this.#core = core;
    this.#clock = clock;
    this.#random = random;
    core.onChecks({
      registered: (checks) => {
        for (const c of checks) if (c.type === 'http' || c.type === 'tcp') this.#schedule(c, this.#random() * c.intervalMs);
      },
      removed: (checks) => {
        for (const c of checks) this.#cancel(c.checkId);
      },
    });
  }

  stop(): void {
    this.#stopped = true;
    for (const id of [...this.#timers.keys()]) this.#cancel(id);
  }

  #schedule(check: CheckRecord, delayMs: number): void {
    this.#cancel(check.checkId);
    if (this.#stopped) return;
    const timer = this.#clock.setTimeout(() => void this.#run(check.checkId), delayMs);
    this.#timers.set(check.checkId, timer);
  }

  #cancel(checkId: string): void {
    this.#timers.get(checkId)?.cancel();
    this.#timers.delete(checkId);
  }

  async #run(checkId: string): Promise<void> {
    const check = this.#core.store.getCheck(checkId);
    if (!check || this.#stopped) return;
    const timeoutMs = check.timeoutMs || DEFAULT_TIMEOUT_MS;
    const abort = new AbortController();
    const timer = this.#clock.setTimeout(() => abort.abort(new Error(`timeout after ${timeoutMs}ms`)), timeoutMs);
    let result: { status: CheckStatus; output: string };
    try {
      result = check.type === 'http' ? await probeHttp(check, abort.signal) : await probeTcp(check.tcp ?? '', abort.signal);
    } catch (e) {
      result = { status: 'critical', output: String((e as Error)?.message ?? e) };
    } finally {
      timer.cancel();
    }
    const current = this.#core.store.getCheck(checkId);
    // A re-registration in the meantime replaced the record: its own schedule takes over.
    if (this.#stopped || !current || current.createIndex !== check.createIndex || current.intervalMs !== check.intervalMs) return;
    this.#core.setProbeResult(checkId, result.status, result.output);
    if (this.#timers.has(checkId)) this.#schedule(current, current.intervalMs);
  }
}

async function probeHttp(check: CheckRecord, signal: AbortSignal): Promise<{ status: CheckStatus; output: string }> {
  const method = check.method || 'GET';
  const headers = new Headers({ 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*' });
  for (const [k, vs] of Object.entries(check.header ?? {})) for (const v of vs) headers.append(k, v);
  try {
    const res = await fetch(check.http!, { method, headers, body: check.body || undefined, signal, redirect: 'follow' });
    const body = (await res.text()).slice(0, check.outputMaxSize);
    const line = `HTTP ${method} ${check.http}: ${res.status} ${res.statusText} Output: ${body}`;
    if (res.status >= 200 && res.status < 300) return { status: 'passing', output: line };
    if (res.status === 429) return { status: 'warning', output: line };
    return { status: 'critical', output: line };
  } catch (e) {
    const reason = signal.aborted ? String((signal.reason as Error)?.message) : String((e as Error)?.cause ?? (e as Error)?.message);
    return { status: 'critical', output: `Get "${check.http}": ${reason}` };
  }
}

function probeTcp(target: string, signal: AbortSignal): Promise<{ status: CheckStatus; output: string }> {
  return new Promise((resolve) => {
    const at = target.lastIndexOf(':');
    const host = target.slice(0, at).replace(/^\[|\]$/g, '');
    const port = Number(target.slice(at + 1));
    if (at < 0 || !Number.isInteger(port)) return resolve({ status: 'critical', output: `dial tcp ${target}: missing port in address` });
    const socket = connect({ host, port });
    const done = (r: { status: CheckStatus; output: string }) => {
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = () => done({ status: 'critical', output: `dial tcp ${target}: i/o timeout` });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done({ status: 'passing', output: `TCP connect ${target}: Success` }));
    socket.once('error', (e) => done({ status: 'critical', output: `dial tcp ${target}: ${e.message}` }));
  });
}
