/**
 * againstStage: what `scenario run --against URL` runs a scenario against, chosen once for the command:
 *
 *   --chaos-mesh        Chaos Mesh objects through kubectl (its current context must exist: else exit 2)
 *   --compose FILE      the containers of `export compose` (docker kill / pause / network disconnect)
 *   a running `up` of -c FILE (or ./micro.dev.yaml) whose gateway is URL: its control API and fault plane
 *   otherwise           observing only (load-based expectations judged, the rest unjudged)
 *
 * Throws MicroDevError BAD_ARGUMENTS for a URL that is not http(s), CONFIG_NOT_FOUND when --chaos-mesh
 * cannot reach a cluster.
 */
import { existsSync } from 'node:fs';
import { isAlive, readRunFile } from '../control/run-file.ts';
import { loadTopology } from '../config/load-topology.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import type { Scenario } from '../scenarios/check-scenario-text.ts';
import type { ScenarioStage } from '../scenarios/scenario-stage.ts';
import { attachUpStage } from '../scenarios/up-stage.ts';
import { chaosMeshStage, checkKubectl, watchStage } from '../scenarios/watch-stage.ts';
import { DEFAULT_TOPOLOGY_FILE } from '../scenarios/scenario-paths.ts';

export interface AgainstOptions {
  url: string;
  chaosMesh: boolean;
  namespace: string;
  compose?: string;
  /** The project's micro.dev.yaml (where a running up's run file is), when there is one. */
  configFile?: string;
}

export type StageFactory = (scenario: Scenario) => (say: (line: string) => void) => Promise<ScenarioStage>;

export async function againstStage(options: AgainstOptions): Promise<StageFactory> {
  const url = gatewayOrigin(options.url);
  if (options.chaosMesh) {
    await checkKubectl();
    const project = (await loadTopology(options.configFile ?? DEFAULT_TOPOLOGY_FILE)).name;
    return (scenario) => () => chaosMeshStage(scenario, url, { project, namespace: options.namespace });
  }
  if (options.compose !== undefined) {
    const { composeStage } = await import('../scenarios/docker-stage.ts');
    const compose = options.compose;
    return (scenario) => () => composeStage(scenario, url, compose);
  }
  const info = options.configFile && existsSync(options.configFile) ? await readRunFile(options.configFile) : undefined;
  if (info && isAlive(info.pid) && gatewayOrigin(info.urls.gateway) === url) return () => () => attachUpStage(info);
  return (scenario) => () => Promise.resolve(watchStage(scenario, url));
}

/** `http(s)://host:port` of URL (no path), or BAD_ARGUMENTS naming it. */
export function gatewayOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --against must be the gateway's URL (http://host:port), got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario run: --against must be an http:// or https:// URL, got "${raw}"`);
  }
  return url.origin;
}
