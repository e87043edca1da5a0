/**
 * composeStage: the containers of `micro-dev export compose` (found by the labels contract,
 * ../export/kubernetes-labels.ts, and Compose's own config-file label), with faults made of docker commands:
 *
 *   kill             docker kill; started again at the end of the step (Docker does not restart a container
 *                    it was told to kill, whatever its restart policy)
 *   stop             docker stop, then docker start at the heal
 *   pause            docker pause, then docker unpause
 *   partition        docker network disconnect from every network, then connect again with its aliases
 *   registry-outage  the registry container (component=registry) disconnected; not when the registry runs
 *                    inside the infra container with the gateway
 *   rolling-restart  docker restart each target, the next once the previous runs (and is healthy, if checked)
 *   heartbeat-loss, latency, crash-loop, slow-start: no docker command cuts one flow or delays packets
 *                    (that needs tc / iptables in the container's network namespace): not applied
 *
 * Only micro-dev's own load is observed (`load`): the registry and the containers' processes are not.
 * close() starts / unpauses / reconnects nothing by itself: the heals and rollbacks did.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { LabelKeys, PART_OF } from '../export/kubernetes-labels.ts';
import { connectDocker } from '../runtimes/container/docker-client.ts';
import type { Heal } from './apply-fault.ts';
import type { Scenario } from './check-scenario-text.ts';
import type { ScenarioStage } from './scenario-stage.ts';

const NO_DOCKER_EQUIVALENT: Record<string, string> = {
  'heartbeat-loss': 'docker can cut a container off a network, not one of its flows (its registry traffic only)',
  latency: 'docker has no command that delays packets (that takes tc netem inside the container)',
  'crash-loop': 'docker has no kill-on-every-start (its restart policy restarts; it does not kill)',
  'slow-start': "docker cannot start a container with its registry traffic cut",
};
const POLL_MS = 100;

interface Target {
  instance: string;
  id: string;
  service: string;
  component: string;
}

export async function composeStage(scenario: Scenario, gatewayUrl: string, composeFile: string): Promise<ScenarioStage> {
  const file = path.resolve(composeFile);
  await access(file).catch((cause: unknown) => {
    throw new MicroDevError('CONFIG_NOT_FOUND', `scenario run --compose: cannot read ${file}`, { cause });
  });
  const docker = await connectDocker();
  const containers = await composeContainers(docker, file);
  if (containers.length === 0) {
    throw new MicroDevError('NOT_RUNNING', `scenario run --compose: no running container of ${file} carries the micro-dev labels`, {
      hints: [`start it first: docker-compose -f ${composeFile} up -d`],
    });
  }
  const registry = containers.filter((c) => c.component === 'registry');
  const tierOf = (service: string) => scenario.topology.services.find((s) => s.name === service)?.tier ?? 'other';
  const byName = new Map(containers.map((c) => [c.instance, c]));
  const container = (instance: string) => docker.getContainer(byName.get(instance)!.id);

  return {
    description: `the Compose project of ${file} at ${gatewayUrl} (faults by docker commands; only the load is observed)`,
    gatewayUrl,
    observes: 'load',
    candidates: () => containers.filter((c) => c.component === 'service').map((c) => ({ instance: c.instance, service: c.service, tier: tierOf(c.service) })),
    cannotApply: (step) => {
      if (step.leader !== undefined) return 'a lock holder cannot be seen from outside the containers';
      if (NO_DOCKER_EQUIVALENT[step.fault]) return NO_DOCKER_EQUIVALENT[step.fault];
      if (step.fault === 'registry-outage' && registry.length === 0) return 'the registry runs inside the infra container with the gateway: cutting it off would cut the gateway too';
      if (!['kill', 'stop', 'pause', 'partition', 'registry-outage', 'rolling-restart'].includes(step.fault)) return `docker has no form of ${step.fault}`;
      if (step.target.instance === 'static-proxy') return 'the Compose export has no static proxy';
      return undefined;
    },
    lockHolder: () => [],
    instanceFacts: () => ({}),
    applyFault: async (step, targets, { signal }): Promise<Heal> => {
      switch (step.fault) {
        case 'kill':
          await Promise.all(targets.map((i) => container(i).kill()));
          return () => startIfStopped(targets.map(container));
        case 'stop':
          await Promise.all(targets.map((i) => container(i).stop({ t: 10 })));
          return () => startIfStopped(targets.map(container));
        case 'pause':
          await Promise.all(targets.map((i) => container(i).pause()));
          return async () => {
            await Promise.all(targets.map((i) => container(i).unpause()));
          };
        case 'partition':
          return disconnect(docker, targets.map((i) => byName.get(i)!.id));
        case 'registry-outage':
          return disconnect(docker, registry.map((r) => r.id));
        case 'rolling-restart':
          for (const i of targets) {
            await container(i).restart({ t: 10 });
            await until(async () => running(await container(i).inspect()), signal, `${i} running again after its restart`);
          }
          return async () => undefined;
        default:
          throw new Error(`docker has no form of ${step.fault}`);
      }
    },
    sample: (at) => ({ at, instances: [], leases: {} }),
    settle: () => Promise.resolve(false),
    rollback: async (action) => {
      for (const c of containers) {
        const state = (await docker.getContainer(c.id).inspect()).State;
        if (action === 'resume-all' && state.Paused) await docker.getContainer(c.id).unpause();
        if (action === 'start-all' && !state.Running) await docker.getContainer(c.id).start();
      }
    },
    onLogLine: () => () => undefined,
    close: () => Promise.resolve(),
  };
}

/** The running containers of this compose file that carry micro-dev's labels. */
async function composeContainers(docker: Docker, file: string): Promise<Target[]> {
  const list = await docker.listContainers({ filters: { label: [`${LabelKeys.partOf}=${PART_OF}`] } });
  return list
    .filter((c) => (c.Labels['com.docker.compose.project.config_files'] ?? '').split(',').map((f) => path.resolve(f)).includes(file))
    .map((c) => ({
      instance: c.Names[0]!.replace(/^\//, ''),
      id: c.Id,
      service: c.Labels[LabelKeys.service] ?? c.Labels[LabelKeys.name] ?? '',
      component: c.Labels[LabelKeys.component] ?? '',
    }))
    .sort((a, b) => (a.instance < b.instance ? -1 : 1));
}

function running(info: Docker.ContainerInspectInfo): boolean {
  return info.State.Running && !info.State.Paused && (info.State.Health === undefined || info.State.Health.Status === 'healthy');
}

async function startIfStopped(containers: Docker.Container[]): Promise<void> {
  for (const c of containers) if (!(await c.inspect()).State.Running) await c.start();
}

/** Disconnects each container from every network; the heal connects it again with the same aliases. */
async function disconnect(docker: Docker, ids: string[]): Promise<Heal> {
  const cut: { id: string; network: string; aliases: string[] }[] = [];
  const heal = async () => {
    for (const c of cut.splice(0)) await docker.getNetwork(c.network).connect({ Container: c.id, EndpointConfig: { Aliases: c.aliases } });
  };
  try {
    for (const id of ids) {
      const networks = (await docker.getContainer(id).inspect()).NetworkSettings.Networks;
      for (const [network, endpoint] of Object.entries(networks)) {
        await docker.getNetwork(network).disconnect({ Container: id, Force: true });
        cut.push({ id, network, aliases: ((endpoint.Aliases ?? []) as string[]).filter((a) => !id.startsWith(a)) });
      }
    }
  } catch (error) {
    await heal().catch(() => undefined);
    throw error;
  }
  return heal;
}

async function until(condition: () => Promise<boolean>, signal: AbortSignal, what: string, limitMs = 60_000): Promise<void> {
  const deadline = performance.now() + limitMs;
  while (!(await condition())) {
    if (signal.aborted) throw signal.reason;
    if (performance.now() > deadline) throw new Error(`no ${what} within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
