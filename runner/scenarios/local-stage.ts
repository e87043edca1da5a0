/**
 * startLocalStage: the scenario's own topology (free ports), started for the run: the engine in this
 * process, faults through applyFault (fault plane + supervisors), everything observable.
 * close() shuts the engine down and closes the static proxy; a start that fails leaves nothing running.
 */
import { createRuntimes } from '../cli/create-runtimes.ts';
import { keepTickObjectShape } from '../runtimes/tick-object-shape.cjs';
import { Orchestrator } from '../engine/orchestrator.ts';
import type { TargetableInstance } from '../faults/select-targets.ts';
import { applyFault } from './apply-fault.ts';
import { runCanary } from './canary-release.ts';
import type { StepSpec } from './scenario-schema.ts';
import type { Scenario } from './check-scenario-text.ts';
import { startFrontProxy, type FrontProxy } from './front-proxy.ts';
import { STATIC_PROXY } from './plan-targets.ts';
import type { ScenarioStage } from './scenario-stage.ts';
import type { LeaseState, RegistrySample } from './timeline.ts';
import { EtcdObserver } from './etcd-observer.ts';
import { divergence } from './member-math.ts';

const POLL_MS = 25;

export async function startLocalStage(scenario: Scenario, options: { onTopologyProgress?: (line: string) => void; say: (line: string) => void }): Promise<ScenarioStage> {
  const o = new Orchestrator(scenario.topology, {
    runtimes: await createRuntimes(scenario.topology),
    onProgress: options.onTopologyProgress && ((line) => options.onTopologyProgress!(`[${scenario.name}] ${line}`)),
  });
  let staticProxy: FrontProxy | undefined;
  // the data plane runs on this thread, as in `up`: nextTick keeps its fast path (runtimes/tick-object-shape.cjs)
  const letTickShapeGo = keepTickObjectShape();
  // Lines printed while the topology starts (a leader elected at boot) are kept for the first listener.
  const early: { instance: string; line: string; at: number }[] = [];
  const unfollowEarly = o.subscribe((u) => {
    if ('event' in u && u.event.type === 'log') early.push({ instance: u.event.instance, line: u.event.line, at: performance.now() });
  });
  try {
    await o.start();
    if (scenario.staticProxy) {
      const upstream = scenario.staticProxy.upstream;
      const addresses = o.snapshot().instances.filter((i) => i.service === upstream && i.address).map((i) => i.address!);
      staticProxy = await startFrontProxy(scenario.staticProxy.engine, addresses);
      options.say(`static proxy (${staticProxy.engine}) on ${staticProxy.address} -> fixed upstreams ${addresses.join(', ')}`);
    }
  } catch (error) {
    unfollowEarly();
    await staticProxy?.close();
    await o.shutdown().catch(() => undefined);
    letTickShapeGo();
    throw error;
  }
  const instances = o.snapshot().instances.map((i) => i.instance);
  // etcd: registrations, member views and roles read every 100 ms, probe writes through each member. The
  // probe's clock starts with the load (`now` of the first sample); writes before it count as never sent.
  let origin = Infinity;
  const etcd = o.infrastructure?.etcd ? await EtcdObserver.start(o.infrastructure.etcd, () => performance.now() - origin) : undefined;
  let firstSample = true;
  return {
    description: 'its own topology',
    gatewayUrl: o.infrastructure!.gateway.url,
    ...(staticProxy ? { staticProxy } : {}),
    observes: 'everything',
    ...(o.tracing ? { traces: o } : {}),
    candidates: () => targetCandidates(o, staticProxy !== undefined),
    cannotApply: () => undefined,
    lockHolder: (key) => lockHolder(o, key),
    instanceFacts: (i) => {
      const v = o.supervisor(i)?.view;
      return { ...(v?.registryId ? { registryId: v.registryId } : {}), restarts: v?.restarts ?? 0 };
    },
    applyFault: (step, targets, ctx) => {
      const canary = async (spec: Extract<StepSpec, { fault: 'canary' }>) => {
        const service = spec.target.service ?? o.supervisor(targets[0]!)!.view.service;
        ctx.record.canary = await runCanary(
          {
            command: (c) => o.command(c),
            instancesOf: (s) => o.snapshot().instances.filter((i) => i.service === s).map((i) => ({ instance: i.instance, ...(i.registryId ? { registryId: i.registryId } : {}) })),
            registryNameOf: (id) => o.infrastructure?.registry?.status().leases.find((l) => l.serviceId === id)?.service,
            versionOf: (s) => scenario.topology.services.find((c) => c.name === s)?.version,
            served: (i) => o.served(i),
            now: ctx.now,
            sleep: ctx.sleep,
            say: ctx.say,
          },
          { ...spec, service },
        );
      };
      return applyFault(
        {
          orchestrator: o,
          ...(staticProxy ? { staticProxy } : {}),
          waitReady: (i, s) => waitReady(o, i, s),
          signal: ctx.signal,
          onMembers: (members) => (ctx.record.targets = members),
          canary,
        },
        step,
        targets,
      );
    },
    sample: (at) => {
      if (firstSample) {
        origin = performance.now() - at;
        firstSample = false;
      }
      return takeSample(o, instances, at, etcd);
    },
    settle: (limitMs, signal) => settle(o, instances, limitMs, signal, etcd),
    ...(etcd ? { registryWrites: () => etcd.close() } : {}),
    rollback: (action) => extraRollback(o, action),
    onLogLine: (listener) => {
      unfollowEarly();
      for (const l of early.splice(0)) listener(l.instance, l.line, l.at);
      return o.subscribe((u) => {
        if ('event' in u && u.event.type === 'log') listener(u.event.instance, u.event.line, performance.now());
      });
    },
    close: async () => {
      unfollowEarly();
      etcd?.close();
      await staticProxy?.close();
      await o.shutdown().catch(() => undefined);
      letTickShapeGo();
    },
  };
}

/** What a step may hit: every instance of the topology (names are stable), and the static proxy if any. */
export function targetCandidates(o: { snapshot(): { instances: TargetableInstance[] } }, staticProxy: boolean): TargetableInstance[] {
  return [
    ...o.snapshot().instances.map((i) => ({ instance: i.instance, service: i.service, tier: i.tier })),
    ...(staticProxy ? [{ instance: STATIC_PROXY, service: STATIC_PROXY, tier: 'other' as const }] : []),
  ];
}

/** The instance holding a KV lock now (the kit names its session after MICRO_DEV_INSTANCE). */
function lockHolder(o: Orchestrator, key: string): string[] {
  const name = o.infrastructure?.registry?.status().locks?.find((l) => l.key === key)?.name;
  return name && o.supervisor(name) ? [name] : [];
}

function takeSample(o: Orchestrator, instances: string[], at: number, etcd?: EtcdObserver): RegistrySample {
  const status = o.infrastructure?.registry?.status();
  const leases: Record<string, LeaseState> = {};
  for (const l of status?.leases ?? []) leases[l.serviceId] = l.status;
  // etcd: a registered node is live (its key lives as long as its lease).
  const cluster = etcd?.sample();
  for (const id of cluster?.passing ?? []) leases[id] = 'passing';
  const locks = status?.locks?.length ? Object.fromEntries(status.locks.map((l) => [l.key, l.name])) : undefined;
  const members = o.infrastructure?.registryMembers ?? [];
  return {
    at,
    instances: instances.map((name) => {
      const v = o.supervisor(name)!.view;
      const served = o.served(name);
      return { instance: name, service: v.service, state: v.state, ...(v.registryId ? { registryId: v.registryId } : {}), restarts: v.restarts, ...(served ? { served } : {}) };
    }),
    leases,
    ...(status?.selfPreservation !== undefined ? { selfPreservation: status.selfPreservation } : {}),
    ...(locks ? { locks } : {}),
    ...(members.length ? { members: Object.fromEntries(members.map((m) => [m.name, m.status().leases.map((l) => l.serviceId).sort()])) } : {}),
    ...(cluster ? { members: cluster.members, roles: cluster.roles } : {}),
  };
}

async function settle(o: Orchestrator, instances: string[], limitMs: number, signal: AbortSignal, etcd?: EtcdObserver): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (performance.now() < deadline && !signal.aborted) {
    const sample = takeSample(o, instances, 0, etcd);
    // etcd: settled also means every member lists the same registrations again (a healed member caught up).
    const agreed = !etcd || divergence(sample) === 0;
    if (agreed && sample.instances.every((v) => v.state === 'ready' && v.registryId && sample.leases[v.registryId] === 'passing')) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return false;
}

async function waitReady(o: Orchestrator, instance: string, signal: AbortSignal, limitMs = 10_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (o.supervisor(instance)?.view.state !== 'ready') {
    if (signal.aborted) throw signal.reason;
    if (performance.now() > deadline) throw new Error(`${instance} not ready again after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function extraRollback(o: Orchestrator, action: string): Promise<void> {
  for (const v of o.snapshot().instances) {
    const s = o.supervisor(v.instance)!;
    if (action === 'start-all' && (v.state === 'stopped' || v.state === 'failed')) await s.start();
    if (action === 'resume-all' && v.state === 'paused') await s.resume();
  }
}
