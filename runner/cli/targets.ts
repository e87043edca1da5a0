import { relative } from 'node:path';
import { existsSync } from 'node:fs';
import { isAlive, readRunFile } from '../control/run-file.ts';
import { loadTopology } from '../config/load-topology.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

/** Where the registry, proxy and broker are: the running `up`'s, or else what the config file says. */
export interface Targets {
  registry: string;
  proxy: string;
  broker?: string;
  running: boolean;
}

export async function resolveTargets(configFile: string): Promise<Targets> {
  const info = await readRunFile(configFile);
  if (info && isAlive(info.pid)) {
    return {
      registry: hostPort(info.urls.registry),
      proxy: hostPort(info.urls.proxy),
      broker: info.broker,
      running: true,
    };
  }
  if (!existsSync(configFile)) {
    throw new MicroDevError('NOT_RUNNING', `micro-dev up is not running here and ${relative(process.cwd(), configFile)} does not exist`, {
      hints: ['start it with: npx micro-dev up'],
    });
  }
  const topology = await loadTopology(configFile);
  return {
    registry: topology.registry.address ?? `${topology.registry.host}:${topology.registry.port}`,
    proxy: `${topology.proxy.host}:${topology.proxy.port}`,
    running: false,
  };
}

function hostPort(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}
