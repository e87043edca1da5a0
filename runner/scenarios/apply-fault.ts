/**
 * applyFault: puts one step's fault on its targets and returns the way back (heal). Faults become
 * fault-plane toxics on the instances' links (named `scenario:<step>:...` so heal removes exactly those),
 * or supervisor actions:
 *
 *   partition        down on <i>/inbound + <i>/registry + <i>/proxy   (cut from callers, registry, callees)
 *   heartbeat-loss   down on <i>/registry                             (still serves; leases run out)
 *   latency          latency on <i>/inbound, answers delayed
 *   registry-outage  down on every <x>/registry link                  (clients keep their cached nodes)
 *   kill             SIGKILL / terminate; the restart policy brings it back (heal: nothing)
 *   stop / pause     graceful stop / SIGSTOP; heal: start / SIGCONT
 *   rolling-restart  restart each target in turn, the next once the previous is ready again
 *   crash-loop       kill each target every time it is ready again, for the duration (the restart backoff
 *                    grows; past max_restarts the supervisor gives up); heal: start a target that gave up
 *   slow-start       stop each target, start it with its registry link down for the duration: it runs but
 *                    cannot register, so callers see it only once the duration is over (a slow boot); heal: link up
 *   static-proxy     kill = close it; heal = start it again on the same port
 *   registry-partition / registry-member-kill / registry-member-slow
 *                    the engine's registry-fault command (OrchestratorApi) on the registry's members (etcd
 *                    members, Eureka peers): cut off (`isolate`: the members on one side; each side's
 *                    instances keep talking to their own member) / SIGKILL / slowed; heal: the same command
 *                    off. The members it resolved (leader, follower) are reported through ctx.onMembers
 *   canary           not a fault: a release of the target service beside `baseline`, weights shifted stage
 *                    by stage through the engine's set-weight / route-version commands, judged on the new
 *                    version's own error rate, then promoted or rolled back (canary-release.ts)
 *
 * Blocking: resolves once the fault is in place (toxics are on live connections before return).
 */
import type { Orchestrator } from '../engine/orchestrator.ts';
import type { FaultPlane } from '../faults/fault-plane.ts';
import type { ToxicSpec } from '../faults/toxic-catalogue.ts';
import type { StepSpec } from './scenario-schema.ts';
import { applyRegistryMemberFault } from './apply-registry-member-fault.ts';
import type { FrontProxy } from './front-proxy.ts';
import { instanceLinkName as link } from '../engine/instance-links.ts';

export interface FaultContext {
  orchestrator: Orchestrator;
  staticProxy?: FrontProxy;
  /** Waits until the instance is ready (rolling restart); rejects at its deadline. */
  waitReady: (instance: string, signal: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  /** Registry member faults: the members the fault was put on (leader / follower resolved). */
  onMembers?: (members: string[]) => void;
  /** Runs a canary step to its decision (canary-release.ts) and records it on the step. */
  canary?: (step: CanaryStep) => Promise<void>;
}

type CanaryStep = Extract<StepSpec, { fault: 'canary' }>;

export type Heal = () => Promise<void>;

export async function applyFault(ctx: FaultContext, step: StepSpec, targets: readonly string[]): Promise<Heal> {
  const o = ctx.orchestrator;
  const name = `scenario:${step.id}`;
  switch (step.fault) {
    case 'registry-partition':
    case 'registry-member-kill':
    case 'registry-member-slow': {
      const { members, heal } = await applyRegistryMemberFault(o, step);
      ctx.onMembers?.(members);
      return heal;
    }
    case 'partition':
      return toxics(plane(o), targets.flatMap((i) => [link(i, 'inbound'), link(i, 'registry'), link(i, 'proxy')]), name, down);
    case 'heartbeat-loss':
      return toxics(plane(o), targets.map((i) => link(i, 'registry')), name, down);
    case 'latency':
      return toxics(plane(o), targets.map((i) => link(i, 'inbound')), name, () => [
        { type: 'latency', stream: 'downstream', attributes: { latency: step.latency, jitter: step.jitter } },
      ]);
    case 'registry-outage': {
      const p = plane(o);
      return toxics(p, p.links().map((l) => l.name).filter((l) => l.endsWith('/registry')), name, down);
    }
    case 'kill':
      if (targets.includes('static-proxy')) {
        const proxy = ctx.staticProxy!;
        await proxy.stop();
        return () => proxy.start();
      }
      for (const i of targets) supervisor(o, i).kill();
      return async () => undefined;
    case 'stop':
      await Promise.all(targets.map((i) => supervisor(o, i).stop()));
      return async () => {
        await Promise.all(targets.map((i) => supervisor(o, i).start()));
      };
    case 'pause':
      await Promise.all(targets.map((i) => supervisor(o, i).pause()));
      return async () => {
        await Promise.all(targets.map((i) => supervisor(o, i).resume()));
      };
    case 'rolling-restart':
      for (const i of targets) {
        await supervisor(o, i).restart();
        await ctx.waitReady(i, ctx.signal);
      }
      return async () => undefined;
    case 'crash-loop': {
      const loop = new AbortController();
      const signal = AbortSignal.any([loop.signal, ctx.signal]);
      const loops = targets.map((i) => crashLoop(supervisor(o, i), signal));
      return async () => {
        loop.abort();
        await Promise.allSettled(loops);
        for (const i of targets) {
          const s = supervisor(o, i);
          if (s.view.state === 'failed') await s.start();
        }
      };
    }
    case 'canary':
      // Blocking: the whole release, stage by stage, to promote or roll back; it leaves that decision in
      // place (there is nothing to heal), and rolls back itself if the scenario aborts meanwhile.
      if (!ctx.canary) throw new Error('this run cannot drive a canary');
      await ctx.canary(step);
      return async () => undefined;
    case 'slow-start': {
      // A clean stop first (it deregisters as usual), then a start that cannot register until the heal.
      await Promise.all(targets.map((i) => supervisor(o, i).stop()));
      const heal = toxics(plane(o), targets.map((i) => link(i, 'registry')), name, down);
      // Not awaited: ready only after the heal. A duration past the readiness timeout fails the start, as
      // a boot that slow would; the rollbacks start it again.
      for (const i of targets) void supervisor(o, i).start().catch(() => undefined);
      return heal;
    }
  }
}

type Supervisor = NonNullable<ReturnType<Orchestrator['supervisor']>>;

/** Kills the instance each time a new generation of it is ready, until the signal aborts or it gives up. */
async function crashLoop(s: Supervisor, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const killed = s.started;
    s.kill();
    // Wait for the next generation (or for the supervisor to give up), polling like the sampler does.
    while (!signal.aborted && !(s.started !== killed && s.view.state === 'ready')) {
      if (s.view.state === 'failed') return;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

const down = (): ToxicSpec[] => [
  { type: 'down', stream: 'upstream' },
  { type: 'down', stream: 'downstream' },
];

function toxics(p: FaultPlane, links: string[], prefix: string, specs: () => ToxicSpec[]): Heal {
  const added: { link: string; name: string }[] = [];
  try {
    for (const link of links) {
      for (const spec of specs()) {
        const toxicName = `${prefix}:${spec.type}:${spec.stream ?? 'downstream'}`;
        p.addToxic(link, { ...spec, name: toxicName });
        added.push({ link, name: toxicName });
      }
    }
  } catch (error) {
    for (const a of added) p.removeToxic(a.link, a.name, { ifPresent: true });
    throw error;
  }
  return async () => {
    for (const a of added) p.removeToxic(a.link, a.name, { ifPresent: true });
  };
}

function plane(o: Orchestrator): FaultPlane {
  const p = o.faultPlane;
  if (!p) throw new Error('this engine has no fault plane (network faults need it)');
  return p;
}

function supervisor(o: Orchestrator, instance: string) {
  const s = o.supervisor(instance);
  if (!s) throw new Error(`no instance named ${instance}`);
  return s;
}
