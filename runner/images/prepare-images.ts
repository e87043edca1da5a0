/**
 * `micro-dev images prepare`: makes every image a topology's container services need, with no registry.
 *
 *   base image (ensureBaseImage)  ──>  per service, one of three plans:
 *     mount  (no image/dockerfile, or image: micro-dev/node:<n>): the base image; the runtime bind-mounts
 *                                   the project read-only at the same path and runs `node <module>` / the
 *                                   command in the service's cwd (no Dockerfile needed for a Node service)
 *     build  (container.dockerfile): `docker build` of container.context (default: the Dockerfile's folder),
 *                                   tagged micro-dev/<topology>-<service>:latest (FROM micro-dev/node:24 works)
 *     image  (container.image):     used as is; it must already be present locally (nothing can be pulled)
 */
import { spawn } from 'node:child_process';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type Docker from 'dockerode';
import type { ServiceConfig, Topology } from '../config/topology.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { connectDocker } from '../runtimes/container/docker-client.ts';
import { ensureBaseImage, inspectImageLabels, type BaseImage, type BaseImageOptions } from './base-image.ts';
import { followDockerProgress } from './docker-progress.ts';

export type ServiceImagePlan =
  | { mode: 'mount'; image: string }
  | { mode: 'image'; image: string }
  | { mode: 'build'; image: string; context: string; dockerfile: string };

export interface PreparedService {
  service: string;
  plan: ServiceImagePlan;
  /** True when this call built (or rebuilt) the image. */
  built: boolean;
}

export interface PreparedImages {
  base: BaseImage;
  services: PreparedService[];
  /** Wall time of the whole preparation, milliseconds. */
  tookMs: number;
}

export interface PrepareImagesOptions extends BaseImageOptions {
  docker?: Docker;
  /** Rebuild Dockerfile images even when present (the CLI command does; the runtime builds only if missing). */
  rebuild?: boolean;
}

/**
 * Prepares the base image and every container service's image. Blocking (a build can take tens of
 * seconds on vfs); progress goes to `options.log`, one line at a time. Rejects with DOCKER_UNAVAILABLE when
 * no engine answers, START_FAILED naming the service when a build fails or an image is missing.
 */
export async function prepareImages(topology: Pick<Topology, 'name' | 'services'>, options: PrepareImagesOptions = {}): Promise<PreparedImages> {
  const started = Date.now();
  const docker = options.docker ?? (await connectDocker());
  const base = await ensureBaseImage(docker, options);
  const services: PreparedService[] = [];
  for (const service of topology.services.filter((s) => s.runtime === 'container')) {
    const plan = planServiceImage(service, topology.name, base.tag);
    const built = await ensureServiceImage(docker, service.name, plan, {
      rebuild: options.rebuild ?? true,
      log: options.log,
    });
    options.log?.(`${service.name}: ${plan.mode} ${plan.image}${built ? ' (built)' : ''}`);
    services.push({ service: service.name, plan, built });
  }
  return { base, services, tookMs: Date.now() - started };
}

/** Which image a service runs and how it gets there. Pure. */
export function planServiceImage(service: ServiceConfig, topologyName: string, baseTag: string): ServiceImagePlan {
  const c = service.container;
  // The base image holds nothing but Node: naming it means "run my project's code on it".
  if (c?.image && (c.image === baseTag || c.image.startsWith(`${baseTag.split(':')[0]}:`))) return { mode: 'mount', image: c.image };
  if (c?.image) return { mode: 'image', image: c.image };
  if (c?.dockerfile) {
    const dockerfile = absolute(c.dockerfile, service.cwd);
    const context = c.context ? absolute(c.context, service.cwd) : dirname(dockerfile);
    const inContext = relative(context, dockerfile);
    if (inContext.startsWith('..')) {
      throw new MicroDevError(
        'CONFIG_INVALID',
        `service ${service.name}: container.dockerfile ${dockerfile} is outside container.context ${context}`,
      );
    }
    return { mode: 'build', image: `micro-dev/${slug(topologyName)}-${slug(service.name)}:latest`, context, dockerfile: inContext };
  }
  return { mode: 'mount', image: baseTag };
}

/**
 * Makes one plan's image present. `mount` needs the base image only (ensured by the caller). Returns true
 * when it built something.
 */
export async function ensureServiceImage(
  docker: Docker,
  service: string,
  plan: ServiceImagePlan,
  options: { rebuild?: boolean; log?: (line: string) => void } = {},
): Promise<boolean> {
  if (plan.mode === 'mount') return false;
  const present = (await inspectImageLabels(docker, plan.image)) !== undefined;
  if (plan.mode === 'image') {
    if (!present) {
      throw new MicroDevError(
        'START_FAILED',
        `service ${service}: image ${plan.image} not found locally and no registry is reachable to pull it`,
        { hints: ['load it with `docker load`, or give the service a container.dockerfile built FROM micro-dev/node:24'] },
      );
    }
    return false;
  }
  if (present && !options.rebuild) return false;
  options.log?.(`${service}: docker build ${plan.context} (${plan.dockerfile}) -> ${plan.image}`);
  const tar = spawn('tar', ['-C', plan.context, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const stream = await docker.buildImage(tar.stdout, { t: plan.image, dockerfile: plan.dockerfile, rm: true });
  await followDockerProgress(docker, stream, `service ${service}: docker build of ${plan.image}`, (line) =>
    options.log?.(`${service}: ${line}`),
  );
  return true;
}

function absolute(path: string, base: string): string {
  return isAbsolute(path) ? path : resolve(base, path);
}

/** Docker names allow [a-z0-9_.-]. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '') || 'x';
}
