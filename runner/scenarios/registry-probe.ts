/**
 * RegistryProbe: what a registry of several members (etcd) accepts, as its clients see it. Every 200 ms it
 * writes one key through each member's client link (the fault plane's view: a member cut off from its
 * clients refuses as surely as one without quorum) and records whether the write was acknowledged:
 *
 *   every 200 ms, per member:  Put /micro-dev/probe/<member>/<n>  (1 s deadline)  -->  {at, member, ok, ms}
 *
 * Each member has its own client (one host, no retries on other members, no circuit breaker), so a record
 * says what that member did. A write is acknowledged only once a quorum committed it: CAP's C side.
 */
import { noop } from 'cockatiel';
import { Etcd3 } from 'etcd3';
import type { RegistryWrite } from './timeline.ts';

const EVERY_MS = 200;
const DEADLINE_MS = 1000;

export class RegistryProbe {
  readonly records: RegistryWrite[] = [];
  readonly #clients: { member: string; client: Etcd3 }[];
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  readonly #inFlight = new Set<string>();
  #n = 0;

  /** `members`: name -> host:port its clients dial; `now`: the run's clock (ms since its start). */
  constructor(members: { name: string; address: string }[], now: () => number) {
    this.#now = now;
    this.#clients = members.map((m) => ({
      member: m.name,
      client: new Etcd3({
        hosts: `http://${m.address}`,
        dialTimeout: DEADLINE_MS,
        faultHandling: { host: () => noop, global: noop },
        defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + DEADLINE_MS }),
      }),
    }));
    this.#timer = setInterval(() => this.#round(), EVERY_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const c of this.#clients) c.client.close();
  }

  #round(): void {
    const n = ++this.#n;
    for (const { member, client } of this.#clients) {
      // One write in flight per member: a hung member is one failure per deadline, not a pile-up.
      if (this.#inFlight.has(member)) continue;
      this.#inFlight.add(member);
      const at = this.#now();
      const t0 = performance.now();
      const done = (ok: boolean) => {
        this.#inFlight.delete(member);
        this.records.push({ at, member, ok, ms: performance.now() - t0 });
      };
      client
        .put(`/micro-dev/probe/${member}/${n}`)
        .value(String(at))
        .exec()
        .then(
          () => done(true),
          () => done(false),
        );
    }
  }
}
