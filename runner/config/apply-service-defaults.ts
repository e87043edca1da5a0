/**
 * applyServiceDefaults: step 3 for one service. Fills every ServiceConfig field; module, cwd, watch paths,
 * dockerfile/context and a `./`-relative command[0] are resolved against the config file's folder.
 * Pure (no file access).
 */
import path from 'node:path';
import type { RawService } from './config-schema.ts';
import { durationMs as ms } from './parse-duration.ts';
import { splitCommand } from './split-command.ts';
import type { ReadinessConfig, RestartConfig, ServiceConfig, Tier, WatchConfig } from './topology.ts';

export const SERVICE_DEFAULTS = {
  runtime: 'worker',
  replicas: 1,
  port: 0,
  readinessTimeoutMs: 10_000,
  restart: { policy: 'on-failure', maxRestarts: 5, backoffMs: 200, backoffMaxMs: 5_000 },
  stopTimeoutMs: 5_000,
  watch: { debounceMs: 300, alwaysIgnore: ['.micro-dev/', 'node_modules', '.git'], cascade: false },
  containerReach: 'published',
} as const;

/** `greeter-srv` -> srv, `greeter-api` -> api, `greeter-web` -> web, anything else -> other. */
export function inferTier(name: string): Tier {
  const m = /-(srv|api|web)$/.exec(name);
  return m ? (m[1] as Tier) : 'other';
}

export function applyServiceDefaults(name: string, raw: RawService, dir: string): ServiceConfig {
  const D = SERVICE_DEFAULTS;
  const runtime = raw.runtime ?? D.runtime;
  const out: ServiceConfig = {
    name,
    tier: raw.tier ?? inferTier(name),
    runtime,
    cwd: raw.cwd === undefined ? dir : path.resolve(dir, raw.cwd),
    env: Object.fromEntries(Object.entries(raw.env ?? {}).map(([k, v]) => [k, String(v)])),
    replicas: raw.replicas ?? D.replicas,
    port: raw.port ?? D.port,
    dependsOn: Array.isArray(raw.depends_on) ? [...raw.depends_on] : Object.keys(raw.depends_on ?? {}),
    readiness: readiness(raw.readiness),
    restart: restart(raw.restart),
    stopTimeoutMs: ms(raw.stop_timeout, D.stopTimeoutMs),
  };
  if (raw.depends_on && !Array.isArray(raw.depends_on)) {
    const started = Object.entries(raw.depends_on).filter(([, d]) => d.condition === 'started');
    if (started.length > 0) out.dependencyConditions = Object.fromEntries(started.map(([name]) => [name, 'started' as const]));
  }
  if (raw.registry !== undefined && raw.registry !== 'consul') out.registry = raw.registry;
  if (raw.version !== undefined) out.version = raw.version;
  if (raw.weight !== undefined) out.weight = raw.weight;
  if (raw.module !== undefined) out.module = path.resolve(dir, raw.module);
  if (raw.command !== undefined) out.command = command(raw.command, dir);
  const watched = watch(raw.watch, out, dir);
  if (watched) out.watch = watched;
  if (raw.container) {
    out.container = { reach: raw.container.reach ?? D.containerReach };
    if (raw.container.image !== undefined) out.container.image = raw.container.image;
    if (raw.container.dockerfile !== undefined) out.container.dockerfile = path.resolve(dir, raw.container.dockerfile);
    if (raw.container.dockerfile !== undefined || raw.container.context !== undefined) {
      out.container.context = path.resolve(dir, raw.container.context ?? '.');
    }
  }
  return out;
}

function command(raw: string | string[], dir: string): string[] {
  let argv: string[];
  try {
    argv = typeof raw === 'string' ? splitCommand(raw) : [...raw];
  } catch {
    argv = [raw as string]; // unterminated quote: validateRuntimeFields reports it
  }
  // ./bin/server means "next to the config file"; a bare name (node, go) is looked up on PATH.
  if (argv[0] !== undefined && /^\.\.?[/\\]/.test(argv[0])) argv[0] = path.resolve(dir, argv[0]);
  return argv;
}

function readiness(raw: RawService['readiness']): ReadinessConfig {
  const t = SERVICE_DEFAULTS.readinessTimeoutMs;
  if (raw === undefined || raw === 'registered') return { kind: 'registered', timeoutMs: t };
  if (raw === 'tcp') return { kind: 'tcp', timeoutMs: t };
  if (raw === 'http') return { kind: 'http', path: '/', status: 200, timeoutMs: t };
  if (raw.http !== undefined) {
    const h = raw.http ?? {};
    const out: ReadinessConfig = { kind: 'http', path: h.path ?? '/', status: h.status ?? 200, timeoutMs: ms(h.timeout, t) };
    if (h.port !== undefined) out.port = h.port;
    return out;
  }
  if (raw.tcp !== undefined) {
    const c = raw.tcp ?? {};
    const out: ReadinessConfig = { kind: 'tcp', timeoutMs: ms(c.timeout, t) };
    if (c.port !== undefined) out.port = c.port;
    return out;
  }
  if (raw.log !== undefined) return { kind: 'log', pattern: raw.log.pattern, timeoutMs: ms(raw.log.timeout, t) };
  return { kind: 'registered', timeoutMs: ms(raw.registered?.timeout, t) };
}

function restart(raw: RawService['restart']): RestartConfig {
  const D = SERVICE_DEFAULTS.restart;
  const r = typeof raw === 'string' ? { policy: raw } : (raw ?? {});
  return {
    policy: r.policy ?? D.policy,
    maxRestarts: r.max_restarts ?? D.maxRestarts,
    backoffMs: ms(r.backoff, D.backoffMs),
    backoffMaxMs: ms(r.backoff_max, D.backoffMaxMs),
  };
}

/**
 * Reload by default: a service whose code lives in the project is watched unless it says `watch: false`.
 * Its code lives in the project when its module is in the config folder's tree (not under node_modules),
 * or, without a module, when its cwd is a folder of its own there (a process service's sources). A
 * container without a module, or a process run from the project root, has no folder to watch by default.
 */
export function codeFolder(svc: Pick<ServiceConfig, 'module' | 'cwd'>, dir: string): string | undefined {
  const inProject = (p: string) => {
    const rel = path.relative(dir, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) && !rel.split(path.sep).includes('node_modules');
  };
  if (svc.module) return inProject(svc.module) ? path.dirname(svc.module) : undefined;
  return inProject(svc.cwd) ? svc.cwd : undefined;
}

function watch(raw: RawService['watch'], svc: ServiceConfig, dir: string): WatchConfig | undefined {
  if (raw === false) return undefined;
  const byDefault = raw === undefined ? codeFolder(svc, dir) : undefined;
  if (raw === undefined && byDefault === undefined) return undefined;
  const w = raw === true || raw === undefined ? {} : raw;
  const D = SERVICE_DEFAULTS.watch;
  const defaultPath = svc.module ? path.dirname(svc.module) : svc.cwd;
  const out: WatchConfig = {
    ...(raw === undefined ? { byDefault: true } : {}),
    paths: w.paths ? w.paths.map((p) => path.resolve(dir, p)) : [defaultPath],
    ignore: [...new Set([...D.alwaysIgnore, ...(w.ignore ?? [])])],
    debounceMs: ms(w.debounce, D.debounceMs),
    cascade: w.cascade ?? D.cascade,
  };
  if (w.build !== undefined) out.build = w.build;
  return out;
}
