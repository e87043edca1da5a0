/**
 * What both exporters start from: the topology and its text, the project folder the app image is built
 * from, the output folder, and the Node base image.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadTopology } from '../config/load-topology.ts';
import type { Topology } from '../config/topology.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { APP_DIR } from './container-plan.ts';
import { GATEWAY_NAME, REGISTRY_NAME } from './kubernetes-labels.ts';
import { INFRA_CONFIG_FILE } from './infra-config.ts';

export interface ExportOptions {
  configFile: string;
  /** Output folder; default `deploy/<format>` beside the config file. */
  outDir?: string;
  /** Node base of the app image; default micro-dev/node:<major of this Node> (`images prepare` builds it). */
  nodeImage?: string;
  /** Per process service: the image its command runs on. */
  bases?: Record<string, string>;
}

export interface ExportSetup {
  topology: Topology;
  text: string;
  projectRoot: string;
  outDir: string;
  nodeImage: string;
  /** The infra config inside the app image (beside the user's file, so its relative paths hold). */
  infraConfigInApp: string;
  /** The same file in the staged context. */
  infraConfigRel: string;
}

export async function exportSetup(options: ExportOptions, format: 'compose' | 'kubernetes'): Promise<ExportSetup> {
  const topology = await loadTopology(options.configFile);
  for (const s of topology.services) {
    if (s.name === GATEWAY_NAME || s.name === REGISTRY_NAME || s.name === 'infra' || s.name === 'consul' || /^etcd(-\d+)?$/.test(s.name)) {
      throw new MicroDevError('CONFIG_INVALID', `service ${s.name}: the export names its own infrastructure so; rename the service to export this topology`);
    }
  }
  const text = await readFile(topology.file, 'utf8');
  const configDir = path.dirname(topology.file);
  const projectRoot = findProjectRoot(configDir);
  const rel = path.relative(projectRoot, configDir);
  const infraConfigRel = path.join(rel, INFRA_CONFIG_FILE);
  return {
    topology,
    text,
    projectRoot,
    outDir: path.resolve(options.outDir ?? path.join(configDir, 'deploy', format)),
    nodeImage: options.nodeImage ?? `micro-dev/node:${process.versions.node.split('.')[0]}`,
    infraConfigInApp: path.posix.join(APP_DIR, ...infraConfigRel.split(path.sep)),
    infraConfigRel,
  };
}

/** The nearest folder at or above `from` that holds a package.json (the project), else `from` itself. */
export function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}
