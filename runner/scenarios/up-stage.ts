/**
 * attachUpStage: a `micro-dev up` that already runs, as the stage of `scenario run --against`. It is driven
 * the way the dashboard and `micro-dev chaos` drive it, never from inside:
 *
 *   kill / stop / start / restart  ──OrchestratorApi.command──> its control API (RemoteOrchestrator)
 *   partition / heartbeat-loss / latency / registry-outage / slow-start's cut
 *                                  ──Toxiproxy-compatible API──> its fault plane (the same toxics as applyFault)
 *   instances, restarts, locks, log lines <── the control API's snapshot + events
 *   leases, self-preservation            <── the registry's /v1/micro-dev/status, polled every 50 ms
 *   registry-partition / -member-kill / -member-slow ──the engine's registry-fault command
 *
 * Everything but each registry member's own list is observable (`all but members`): those metrics only are
 * unjudged. `pause` has no command in the control API and the
 * static proxy exists only in a scenario's own topology: those steps are not applied (cannotApply says why).
 * close() lets go of the connection; it stops nothing of the `up`.
 */
import type { Command, InstanceView, Snapshot } from '../engine/api.ts';
import { instanceLinkName as link } from '../engine/instance-links.ts';
import { RemoteOrchestrator } from '../control/control-client.ts';
import type { RunInfo } from '../control/run-file.ts';
import type { RegistryStatus } from '../registry/registry-types.ts';
import type { Heal } from './apply-fault.ts';
import { STATIC_PROXY } from './plan-targets.ts';
import type { ScenarioStage } from './scenario-stage.ts';
import type { LeaseState, RegistrySample } from './timeline.ts';
import { RegistryMemberFaults } from './scenario-schema.ts';
import { applyRegistryMemberFault } from './apply-registry-member-fault.ts';

const POLL_MS = 50;
const SUPPORTED = new Set(['kill', 'stop', 'partition', 'heartbeat-loss', 'latency', 'registry-outage', 'rolling-restart', 'crash-loop', 'slow-start', ...Object.keys(RegistryMemberFaults)]);
const NETWORK = new Set(['partition', 'heartbeat-loss', 'latency', 'registry-outage', 'slow-start']);

export async function attachUpStage(info: RunInfo): Promise<ScenarioStage> {
  const remote = await RemoteOrchestrator.connect(info);
  const faultsUrl = remote.snapshot().urls.faults;
  const registryUrl = `http://${remote.snapshot().urls.registry.replace(/^https?:\/\//, '')}`;
  let status: RegistryStatus | undefined;
  let polling = true;
  const readStatus = async () => {
    try {
      const res = await fetch(`${registryUrl}/v1/micro-dev/status`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) status = (await res.json()) as RegistryStatus;
    } catch {
      // the registry not answering shows as no leases in the samples (everything deregistered), as it would
    }
  };
  await readStatus();
  // A registry without micro-dev's status route (a real Consul, etcd) shows no leases: judge from the load only.
  const registryVisible = status !== undefined;
  const poller = (async () => {
    while (polling) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      await readStatus();
    }
  })();
  const view = (instance: string): InstanceView | undefined => remote.snapshot().instances.find((i) => i.instance === instance);
  const command = async (c: Command) => {
    const result = await remote.command(c);
    if (!result.ok) throw new Error(`${c.type} ${'instance' in c ? c.instance : ''}: ${result.message}`);
  };
  const sample = (at: number, snapshot: Snapshot = remote.snapshot()): RegistrySample => {
    const leases: Record<string, LeaseState> = {};
    for (const l of status?.leases ?? []) leases[l.serviceId] = l.status;
    const locks = status?.locks?.length ? Object.fromEntries(status.locks.map((l) => [l.key, l.name])) : undefined;
    return {
      at,
      instances: snapshot.instances.map((v) => ({ instance: v.instance, service: v.service, state: v.state, ...(v.registryId ? { registryId: v.registryId } : {}), restarts: v.restarts })),
      leases,
      ...(status?.selfPreservation !== undefined ? { selfPreservation: status.selfPreservation } : {}),
      ...(locks ? { locks } : {}),
    };
  };
  const plane = faultPlane(faultsUrl);

  return {
    description: `micro-dev up at ${remote.snapshot().urls.gateway} (faults through its control API and fault plane${registryVisible ? '' : "; its registry has no lease status route, so only the load is observed"})`,
    gatewayUrl: remote.snapshot().urls.gateway,
    observes: registryVisible ? 'all but members' : 'load',
    // The up's own trace store, through its control API (empty when its tracing is off).
    traces: remote,
    candidates: () => remote.snapshot().instances.map((i) => ({ instance: i.instance, service: i.service, tier: i.tier })),
    cannotApply: (step) => {
      if (step.target.instance === STATIC_PROXY) return 'the static proxy exists only in a scenario run on its own topology';
      if (step.fault === 'pause') return "the control API has no pause command (the dashboard's keys do not freeze an instance)";
      if (!SUPPORTED.has(step.fault)) return `micro-dev cannot put ${step.fault} on a running up from outside`;
      if (NETWORK.has(step.fault) && !faultsUrl) return `${step.fault} needs the fault plane, which this up runs without (faults: disabled)`;
      return undefined;
    },
    lockHolder: (key) => {
      const name = status?.locks?.find((l) => l.key === key)?.name;
      return name && view(name) ? [name] : [];
    },
    instanceFacts: (i) => {
      const v = view(i);
      return { ...(v?.registryId ? { registryId: v.registryId } : {}), restarts: v?.restarts ?? 0 };
    },
    applyFault: async (step, targets, { signal, record }) => {
      const name = `scenario:${step.id}`;
      switch (step.fault) {
        case 'registry-partition':
        case 'registry-member-kill':
        case 'registry-member-slow': {
          // The engine's own registry-fault command, as applyFault sends it in a scenario's own topology.
          const { members, heal } = await applyRegistryMemberFault(remote, step);
          record.targets = members;
          return heal;
        }
        case 'partition':
          return plane.down(targets.flatMap((i) => [link(i, 'inbound'), link(i, 'registry'), link(i, 'proxy')]), name);
        case 'heartbeat-loss':
          return plane.down(targets.map((i) => link(i, 'registry')), name);
        case 'latency':
          return plane.add(targets.map((i) => link(i, 'inbound')), name, [{ type: 'latency', stream: 'downstream', attributes: { latency: step.latency, jitter: step.jitter } }]);
        case 'registry-outage':
          return plane.down((await plane.links()).filter((l) => l.endsWith('/registry')), name);
        case 'kill':
          for (const i of targets) await command({ type: 'kill', instance: i });
          return async () => undefined;
        case 'stop':
          for (const i of targets) await command({ type: 'stop', instance: i });
          return async () => {
            for (const i of targets) await command({ type: 'start', instance: i });
          };
        case 'rolling-restart':
          for (const i of targets) {
            const before = view(i)?.restarts ?? 0;
            await command({ type: 'restart', instance: i });
            await until(() => (view(i)?.restarts ?? 0) > before && view(i)?.state === 'ready', signal, `${i} ready again after its restart`);
          }
          return async () => undefined;
        case 'crash-loop': {
          const loop = new AbortController();
          const both = AbortSignal.any([loop.signal, signal]);
          const loops = targets.map((i) => crashLoop(i, both));
          return async () => {
            loop.abort();
            await Promise.allSettled(loops);
            for (const i of targets) if (view(i)?.state === 'failed') await command({ type: 'start', instance: i });
          };
        }
        case 'slow-start': {
          for (const i of targets) await command({ type: 'stop', instance: i });
          const heal = await plane.down(targets.map((i) => link(i, 'registry')), name);
          // Not awaited for readiness: it becomes ready only after the heal, as in a scenario's own topology.
          for (const i of targets) await command({ type: 'start', instance: i });
          return heal;
        }
        default:
          throw new Error(`${step.fault} cannot be applied to a running up`);
      }
    },
    sample: (at) => sample(at),
    settle: async (limitMs, signal) => {
      const deadline = performance.now() + limitMs;
      while (performance.now() < deadline && !signal.aborted) {
        const s = sample(0);
        if (s.instances.every((v) => v.state === 'ready' && v.registryId && s.leases[v.registryId] === 'passing')) return true;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return false;
    },
    rollback: async (action) => {
      if (action === 'resume-all') return; // nothing here pauses
      for (const v of remote.snapshot().instances) if (v.state === 'stopped' || v.state === 'failed') await command({ type: 'start', instance: v.instance });
    },
    onLogLine: (listener) =>
      remote.subscribe((u) => {
        if ('event' in u && u.event.type === 'log') listener(u.event.instance, u.event.line, performance.now());
      }),
    close: async () => {
      polling = false;
      await poller;
      remote.close();
    },
  };

  /** Kills the instance each time a new generation of it is ready, until the signal aborts or it gives up. */
  async function crashLoop(instance: string, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const killedAt = view(instance)?.restarts ?? 0;
      await command({ type: 'kill', instance });
      while (!signal.aborted && !((view(instance)?.restarts ?? 0) > killedAt && view(instance)?.state === 'ready')) {
        if (view(instance)?.state === 'failed') return;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
  }
}

async function until(condition: () => boolean, signal: AbortSignal, what: string, limitMs = 10_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!condition()) {
    if (signal.aborted) throw signal.reason;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

type Toxic = { type: string; stream: 'upstream' | 'downstream'; attributes?: Record<string, number> };
const DOWN: Toxic[] = [
  { type: 'down', stream: 'upstream' },
  { type: 'down', stream: 'downstream' },
];

/** Toxics through the fault plane's Toxiproxy-compatible API; a heal removes exactly what was added. */
function faultPlane(url: string | undefined) {
  const call = async (method: string, path: string, body?: unknown) => {
    if (!url) throw new Error('this up has no fault plane');
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) throw new Error(`fault plane ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const add = async (links: string[], prefix: string, toxics: Toxic[]): Promise<Heal> => {
    const added: { link: string; name: string }[] = [];
    const heal = async () => {
      for (const a of added) await call('DELETE', `/proxies/${encodeURIComponent(a.link)}/toxics/${encodeURIComponent(a.name)}`);
    };
    try {
      for (const l of links) {
        for (const t of toxics) {
          const name = `${prefix}:${t.type}:${t.stream}`;
          await call('POST', `/proxies/${encodeURIComponent(l)}/toxics`, { name, type: t.type, stream: t.stream, toxicity: 1, attributes: t.attributes ?? {} });
          added.push({ link: l, name });
        }
      }
    } catch (error) {
      await heal().catch(() => undefined);
      throw error;
    }
    return heal;
  };
  return {
    add,
    down: (links: string[], prefix: string) => add(links, prefix, DOWN),
    links: async () => Object.keys((await (await call('GET', '/proxies')).json()) as Record<string, unknown>),
  };
}
