/**
 * FaultPlane: the registry of links and the single writer of their toxics. It names toxics, enforces
 * durations on the injected Clock (a toxic with durationMs removes itself), and tells subscribers.
 *
 *   scenario engine / admin API --addToxic--> FaultPlane --Link.addToxic--> every live connection (sync)
 *                                                 |--clock.setTimeout(durationMs)--> removeToxic (expired)
 *                                                 '--FaultEvent--> subscribers
 */
import type { Clock, Timer } from '../clock/clock.ts';
import { SystemClock } from '../clock/clock.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { LinkOptions } from './link.ts';
import { Link } from './link.ts';
import type { Duplex } from 'node:stream';
import { localSocketPair, type HttpEnd, type LinkEnd } from './local-socket.ts';
import type { LinkTracer } from './link-tracer.ts';
import { seededRandom } from './seeded-random.ts';
import type { ToxicSpec, ToxicView } from './toxic-catalogue.ts';
import { normalizeToxic } from './toxic-catalogue.ts';

export type FaultEvent =
  | { type: 'toxic-added'; at: number; link: string; toxic: ToxicView }
  | { type: 'toxic-updated'; at: number; link: string; toxic: ToxicView }
  | { type: 'toxic-removed'; at: number; link: string; toxic: ToxicView }
  | { type: 'toxic-expired'; at: number; link: string; toxic: ToxicView }
  | { type: 'link-created'; at: number; link: string }
  | { type: 'link-removed'; at: number; link: string }
  | { type: 'link-enabled'; at: number; link: string }
  | { type: 'link-disabled'; at: number; link: string };

/** The toxic as added: its view plus a handle to take it off again. */
export interface Toxic extends ToxicView {
  readonly link: string;
  /** Same as FaultPlane.removeToxic(link, name); a no-op once it is gone. */
  remove(): void;
}

export interface FaultPlaneOptions {
  /** Times toxic durations (default SystemClock). Data-path delays always use real time. */
  clock?: Clock;
  /** Draws toxicity, jitter and slice sizes (default a seededRandom from a random seed). */
  random?: () => number;
  /** Every link traces the HTTP exchanges that carry a traceparent (runner/traces); none by default. */
  tracer?: LinkTracer;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::']);

export class FaultPlane {
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #tracer: LinkTracer | undefined;
  readonly #links = new Map<string, Link>();
  readonly #expiry = new Map<string, Timer>();
  readonly #listeners = new Set<(e: FaultEvent) => void>();
  /** Servers of this process by port (loopback): links to them connect in memory. */
  readonly #inProcess = new Map<number, (socket: Duplex) => boolean>();

  constructor(options: FaultPlaneOptions = {}) {
    this.#clock = options.clock ?? new SystemClock();
    this.#random = options.random ?? seededRandom((Math.random() * 2 ** 32) >>> 0);
    this.#tracer = options.tracer;
  }

  /** Starts listening; resolves with the link once bound. Throws BAD_ARGUMENTS if the name is taken. */
  async createLink(options: LinkOptions): Promise<Link> {
    if (this.#links.has(options.name)) {
      throw new MicroDevError('BAD_ARGUMENTS', `link ${options.name} already exists (names are unique per fault plane)`);
    }
    const dial = (host: string, port: number) => this.#dialInProcess(host, port);
    const link = await Link.open(options, this.#tracer ? { random: this.#random, tracer: this.#tracer, dial } : { random: this.#random, dial });
    if (this.#links.has(options.name)) {
      await link.close();
      throw new MicroDevError('BAD_ARGUMENTS', `link ${options.name} already exists (names are unique per fault plane)`);
    }
    this.#links.set(options.name, link);
    this.#emit({ type: 'link-created', at: this.#clock.now(), link: link.name });
    return link;
  }

  link(name: string): Link | undefined {
    return this.#links.get(name);
  }

  links(): Link[] {
    return [...this.#links.values()];
  }

  /**
   * A connection from our own process into the enabled link listening on host:port (loopback only), in
   * memory instead of over a loopback socket (Link.openLocal); undefined when no such link: connect over TCP.
   * The gateway and the proxy dial every node through this.
   */
  openLocal(host: string, port: number): HttpEnd | undefined {
    if (!LOOPBACK.has(host)) return undefined;
    for (const link of this.#links.values()) {
      if (link.port === port && link.enabled && LOOPBACK.has(link.host)) return link.openLocal();
    }
    return undefined;
  }

  /**
   * Validates, names (default `<type>_<stream>`) and applies the toxic to every live connection before
   * returning. durationMs (plane clock) makes it remove itself and emit `toxic-expired`.
   * Throws BAD_ARGUMENTS for an unknown link, a taken name or an invalid spec.
   */
  addToxic(linkName: string, spec: ToxicSpec & { durationMs?: number }): Toxic {
    const link = this.#require(linkName);
    let view: ToxicView;
    try {
      view = normalizeToxic(spec);
    } catch (cause) {
      throw new MicroDevError('BAD_ARGUMENTS', `toxic on link ${linkName}: ${(cause as Error).message}`, { cause });
    }
    if (link.toxics().some((t) => t.name === view.name)) {
      throw new MicroDevError('BAD_ARGUMENTS', `toxic ${view.name} already exists on link ${linkName}`);
    }
    const { durationMs } = spec;
    if (durationMs !== undefined) {
      if (!(durationMs >= 0)) throw new MicroDevError('BAD_ARGUMENTS', `durationMs of toxic ${view.name} must be >= 0, got ${durationMs}`);
      view.expiresAt = this.#clock.now() + durationMs;
    }
    link.addToxic(view);
    if (durationMs !== undefined) {
      const key = `${linkName}\u0000${view.name}`;
      this.#expiry.set(
        key,
        this.#clock.setTimeout(() => {
          this.#expiry.delete(key);
          const removed = this.#links.get(linkName)?.removeToxic(view.name);
          if (removed) this.#emit({ type: 'toxic-expired', at: this.#clock.now(), link: linkName, toxic: removed });
        }, durationMs),
      );
    }
    this.#emit({ type: 'toxic-added', at: this.#clock.now(), link: linkName, toxic: { ...view } });
    return { ...view, link: linkName, remove: () => void this.removeToxic(linkName, view.name, { ifPresent: true }) };
  }

  /**
   * Changes attributes (merged over the current ones) and/or toxicity of a toxic in place, on live
   * connections too. Name, type, stream and expiry stay. Throws BAD_ARGUMENTS if unknown or invalid.
   */
  updateToxic(linkName: string, toxicName: string, change: { attributes?: Record<string, unknown>; toxicity?: number }): ToxicView {
    const link = this.#require(linkName);
    const current = link.toxics().find((t) => t.name === toxicName);
    if (!current) throw new MicroDevError('BAD_ARGUMENTS', `toxic ${toxicName} not found on link ${linkName}`);
    let view: ToxicView;
    try {
      view = normalizeToxic({
        ...current,
        attributes: { ...current.attributes, ...change.attributes },
        toxicity: change.toxicity ?? current.toxicity,
      });
    } catch (cause) {
      throw new MicroDevError('BAD_ARGUMENTS', `toxic ${toxicName} on link ${linkName}: ${(cause as Error).message}`, { cause });
    }
    if (current.expiresAt !== undefined) view.expiresAt = current.expiresAt;
    link.updateToxic(view);
    this.#emit({ type: 'toxic-updated', at: this.#clock.now(), link: linkName, toxic: { ...view } });
    return view;
  }

  /** Removes now (held bytes flow on). Throws BAD_ARGUMENTS if link or toxic is unknown, unless ifPresent. */
  removeToxic(linkName: string, toxicName: string, options: { ifPresent?: boolean } = {}): boolean {
    const link = this.#links.get(linkName);
    const removed = link?.removeToxic(toxicName);
    if (!removed) {
      if (options.ifPresent) return false;
      throw new MicroDevError('BAD_ARGUMENTS', `toxic ${toxicName} not found on link ${linkName}`);
    }
    this.#cancelExpiry(linkName, toxicName);
    this.#emit({ type: 'toxic-removed', at: this.#clock.now(), link: linkName, toxic: removed });
    return true;
  }

  /** Enables or disables a link and reports it; resolves once listening / closed. */
  async setEnabled(linkName: string, enabled: boolean): Promise<void> {
    const link = this.#require(linkName);
    if (link.enabled === enabled) return;
    await link.setEnabled(enabled);
    this.#emit({ type: enabled ? 'link-enabled' : 'link-disabled', at: this.#clock.now(), link: linkName });
  }

  /** Removes every toxic and enables every link (Toxiproxy's POST /reset). Toxics are gone on return. */
  reset(): Promise<void> {
    for (const link of this.#links.values()) {
      for (const toxic of link.toxics()) this.removeToxic(link.name, toxic.name, { ifPresent: true });
    }
    return Promise.all(this.links().map((l) => this.setEnabled(l.name, true))).then(() => {});
  }

  /** Closes one link and forgets it (its toxics go with it). */
  async removeLink(name: string): Promise<void> {
    const link = this.#require(name);
    this.#links.delete(name);
    for (const toxic of link.toxics()) this.#cancelExpiry(name, toxic.name);
    await link.close();
    this.#emit({ type: 'link-removed', at: this.#clock.now(), link: name });
  }

  /** Closes every link and cancels every pending expiry. The plane is empty (and reusable) afterwards. */
  async close(): Promise<void> {
    for (const timer of this.#expiry.values()) timer.cancel();
    this.#expiry.clear();
    const links = this.links();
    this.#links.clear();
    await Promise.all(links.map((l) => l.close()));
  }

  /**
   * A server of this process on loopback `port` (the proxy): connections links open to it from now on are
   * handed to `accept` in memory instead of over TCP. `accept` returns false once the server is stopped (the
   * link then dials TCP and is refused, as before). The returned function forgets the server.
   */
  serveInProcess(port: number, accept: (socket: Duplex) => boolean): () => void {
    this.#inProcess.set(port, accept);
    return () => void (this.#inProcess.get(port) === accept && this.#inProcess.delete(port));
  }

  #dialInProcess(host: string, port: number): LinkEnd | undefined {
    const accept = this.#inProcess.get(port);
    if (!accept || !LOOPBACK.has(host)) return undefined;
    const { http, link } = localSocketPair();
    return accept(http) ? link : undefined;
  }

  /** Live events from now on; the returned function unsubscribes. A throwing listener is ignored. */
  subscribe(listener: (e: FaultEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #require(name: string): Link {
    const link = this.#links.get(name);
    if (!link) {
      const known = [...this.#links.keys()].join(', ') || 'none';
      throw new MicroDevError('BAD_ARGUMENTS', `link ${name} not found (known links: ${known})`);
    }
    return link;
  }

  #cancelExpiry(linkName: string, toxicName: string): void {
    const key = `${linkName}\u0000${toxicName}`;
    this.#expiry.get(key)?.cancel();
    this.#expiry.delete(key);
  }

  #emit(event: FaultEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A subscriber must not break the data plane.
      }
    }
  }
}
