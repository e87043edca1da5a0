/**
 * RegistryFaults: the `registry-fault` command on a registry of several members (RegistryCluster: an etcd
 * cluster, or Eureka peers through peers-cluster.ts). Each fault is kept under its id until healed, so a heal takes back exactly what it put:
 *
 *   partition  from clients: down on the members' client links
 *              from peers:   down on every peer link between the named members and the others (a split)
 *              heal: toxics off, and the connections that crossed them closed (their bytes were lost)
 *   kill       SIGKILL the members; heal starts them again (same data, same addresses)
 *   slow       latency (both directions) on every link of the members
 *
 * `leader` / `follower` in `members` are resolved from the members' own status when the fault is applied.
 */
import type { FaultPlane } from '../faults/fault-plane.ts';
import type { ToxicSpec } from '../faults/toxic-catalogue.ts';
import type { RegistryCluster } from '../registry/registry-cluster.ts';
import type { CommandResult, RegistryFaultCommand, RegistryFaultKind } from './api.ts';

interface Active {
  fault: RegistryFaultKind;
  members: string[];
  heal: () => Promise<void>;
}

export class RegistryFaults {
  readonly #members: RegistryCluster;
  readonly #plane: FaultPlane;
  readonly #active = new Map<string, Active>();

  constructor(members: RegistryCluster, plane: FaultPlane) {
    this.#members = members;
    this.#plane = plane;
  }

  /** Faults on each member now, by member name. */
  faultsOf(name: string): string[] {
    return [...new Set([...this.#active.values()].filter((a) => a.members.includes(name)).map((a) => a.fault))].sort();
  }

  async command(c: RegistryFaultCommand): Promise<CommandResult> {
    const id = c.id ?? c.fault;
    if (!c.on) {
      const active = this.#active.get(id);
      if (!active) return { ok: true, message: `no registry fault ${id} to heal` };
      this.#active.delete(id);
      await active.heal();
      return { ok: true, message: `registry ${active.fault} healed on ${active.members.join(', ')}`, members: active.members };
    }
    if (this.#active.has(id)) return { ok: false, message: `registry fault ${id} is already on (heal it first)` };
    const members = await this.#resolve(c.members ?? ['leader']);
    if ('error' in members) return { ok: false, message: members.error };
    const names = members.names;
    let heal: () => Promise<void>;
    switch (c.fault) {
      case 'partition': {
        const from = c.from ?? 'both';
        const rest = this.#members.names.filter((n) => !names.includes(n));
        if (from !== 'clients' && rest.length === 0) {
          return { ok: false, message: `registry partition: isolating ${names.join(', ')} leaves no member on the other side (members: ${this.#members.names.join(', ')})` };
        }
        const links = [
          ...(from === 'clients' || from === 'both' ? names.flatMap((n) => this.#members.links(n, 'clients')) : []),
          ...(from === 'peers' || from === 'both' ? this.#members.linksBetween(names, rest) : []),
        ];
        if (links.length === 0) return { ok: false, message: `registry partition from ${from}: ${this.#members.kind} members have no such links` };
        const removeToxics = this.#toxics(id, links, () => [
          { type: 'down', stream: 'upstream' },
          { type: 'down', stream: 'downstream' },
        ]);
        // `down` swallows bytes that TCP would have delivered late: a stream cut mid-message is garbage once
        // healed (etcd waits 5 s to notice). Its connections close at the heal; the members dial afresh.
        heal = async () => {
          await removeToxics();
          for (const link of links) this.#plane.link(link)?.closeConnections();
        };
        break;
      }
      case 'slow': {
        const latency = c.latencyMs ?? 500;
        const links = [...new Set(names.flatMap((n) => this.#members.links(n, 'both')))];
        heal = this.#toxics(id, links, () => [
          { type: 'latency', stream: 'upstream', attributes: { latency, jitter: 0 } },
          { type: 'latency', stream: 'downstream', attributes: { latency, jitter: 0 } },
        ]);
        break;
      }
      case 'kill':
        for (const n of names) await this.#members.kill(n);
        heal = async () => {
          for (const n of names) await this.#members.start(n);
        };
        break;
    }
    this.#active.set(id, { fault: c.fault, members: names, heal });
    return { ok: true, message: `registry ${c.fault} on ${names.join(', ')}`, members: names };
  }

  /** Heals every fault still on (shutdown, scenario rollback). */
  async healAll(): Promise<void> {
    for (const [id, active] of [...this.#active]) {
      this.#active.delete(id);
      await active.heal().catch(() => undefined);
    }
  }

  async #resolve(wanted: string[]): Promise<{ names: string[] } | { error: string }> {
    const status = wanted.some((w) => w === 'leader' || w === 'follower') ? await this.#members.status() : [];
    const names: string[] = [];
    for (const w of wanted) {
      let name: string | undefined;
      if (w === 'leader') name = status.find((s) => s.role === 'leader')?.name;
      else if (w === 'follower') name = status.find((s) => s.role === 'follower' && !names.includes(s.name))?.name;
      else name = this.#members.names.includes(w) ? w : undefined;
      if (!name) {
        const roles = status.length ? ` (now: ${status.map((s) => `${s.name} ${s.role}`).join(', ')})` : '';
        return { error: `no registry member ${w === 'leader' || w === 'follower' ? `is a ${w}` : `named ${w}`}${roles}; members: ${this.#members.names.join(', ')}` };
      }
      if (!names.includes(name)) names.push(name);
    }
    return { names };
  }

  #toxics(id: string, links: string[], specs: () => ToxicSpec[]): () => Promise<void> {
    const added: { link: string; name: string }[] = [];
    try {
      for (const link of links) {
        for (const spec of specs()) {
          const name = `registry-fault:${id}:${spec.type}:${spec.stream}`;
          this.#plane.addToxic(link, { ...spec, name });
          added.push({ link, name });
        }
      }
    } catch (error) {
      for (const a of added) this.#plane.removeToxic(a.link, a.name, { ifPresent: true });
      throw error;
    }
    return async () => {
      for (const a of added) this.#plane.removeToxic(a.link, a.name, { ifPresent: true });
    };
  }
}
