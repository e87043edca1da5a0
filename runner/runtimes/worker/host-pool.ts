/**
 * HostPool: the shared threads packed instances live in (instance-host.ts), filled up to `perHost`
 * instances each, a new thread started when all are full; a thread that is left empty ends.
 *
 *   WorkerRuntime.start(spec) ──packed──> HostPool.start ──> host with room (or a new one) {start id url env}
 *                                              <── 'started' once the thread runs ──> PackedInstance
 *
 * A host thread that dies (it should not: instances' errors end only themselves) takes its instances with
 * it; they report exit code 1 with the reason as a stderr line.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../../clock/clock.ts';
import type { InstanceSpec } from '../runtime.ts';
import type { HostEvent, HostRequest } from './instance-host.ts';
import { PackedInstance } from './packed-instance.ts';
import { newThread } from './new-thread.ts';
import { ownPath } from '../../package/own-path.ts';

interface Host {
  worker: Worker;
  online: Promise<void>;
  instances: Map<string, PackedInstance>;
  /** Reserved or running. */
  load: number;
  /** Starts the host has queued but not begun. */
  starting: Map<string, () => void>;
}

const hostModule = ownPath('runner/runtimes/worker/instance-host.ts');

export class HostPool {
  readonly #perHost: number;
  readonly #clock: Clock;
  readonly #resourceLimits: { maxYoungGenerationSizeMb: number };
  readonly #hosts = new Set<Host>();

  constructor(options: { perHost: number; clock: Clock; resourceLimits: { maxYoungGenerationSizeMb: number } }) {
    this.#perHost = options.perHost;
    this.#clock = options.clock;
    this.#resourceLimits = options.resourceLimits;
  }

  /** Threads running now (for tests and numbers). */
  get threads(): number {
    return this.#hosts.size;
  }

  /** Starts the instance in a host with room; resolves once the host thread runs it (not when ready). */
  async start(spec: InstanceSpec, module: string): Promise<PackedInstance> {
    const host = this.#pick();
    host.load++;
    try {
      await host.online;
    } catch (e) {
      host.load--;
      throw e;
    }
    const instance = new PackedInstance(spec.instance, { threadId: host.worker.threadId, send: (m) => host.worker.postMessage(m) }, this.#clock);
    host.instances.set(spec.instance, instance);
    const begun = new Promise<void>((resolve) => host.starting.set(spec.instance, resolve));
    const request: HostRequest = { type: 'start', id: spec.instance, url: pathToFileURL(module).href, env: { ...spec.env } };
    host.worker.postMessage(request);
    // The host paces its starts: resolve when this one really begins (or ended before it could).
    await Promise.race([begun, instance.exited]);
    host.starting.delete(spec.instance);
    return instance;
  }

  /** Kills every host thread (their instances report SIGKILL). */
  async close(): Promise<void> {
    await Promise.all([...this.#hosts].map((h) => h.worker.terminate().catch(() => undefined)));
  }

  #pick(): Host {
    let best: Host | undefined;
    for (const h of this.#hosts) if (h.load < this.#perHost && (!best || h.load < best.load)) best = h;
    return best ?? this.#spawn();
  }

  #spawn(): Host {
    const worker = newThread(hostModule, { env: {}, argv: [], name: 'micro-dev instance host', resourceLimits: this.#resourceLimits, stdout: true, stderr: true });
    // Output without an instance (the host's own) is not anyone's log line; keep the pipes flowing.
    worker.stdout.resume();
    worker.stderr.resume();
    const host: Host = {
      worker,
      instances: new Map(),
      starting: new Map(),
      load: 0,
      online: new Promise<void>((resolve, reject) => {
        worker.once('online', () => resolve());
        worker.once('error', reject);
      }),
    };
    host.online.catch(() => undefined);
    this.#hosts.add(host);
    worker.on('message', (e: HostEvent) => {
      const instance = host.instances.get(e.id);
      if (!instance) return;
      if (e.type === 'started') host.starting.get(e.id)?.();
      else if (e.type === 'log') instance.output(e.stream, e.text);
      else {
        host.instances.delete(e.id);
        host.load--;
        instance.ended(e.code, e.killed);
        // The last instance gone: let the thread go rather than idle (a new start spawns one again).
        if (host.load === 0) {
          this.#hosts.delete(host);
          void worker.terminate();
        }
      }
    });
    let error = '';
    worker.on('error', (e: unknown) => (error = e instanceof Error ? `${e.name}: ${e.message}` : String(e)));
    worker.once('exit', () => {
      this.#hosts.delete(host);
      for (const instance of host.instances.values()) {
        if (error) instance.output('stderr', `instance host thread died: ${error}\n`);
        instance.ended(1, !error);
      }
      host.instances.clear();
    });
    return host;
  }
}
