/**
 * startWatching: hot reload. One chokidar watcher per service with `watch`; a change, once the folder has
 * been quiet for `debounceMs`, becomes one request on the ReloadQueue (build, blue-green reload, cascade).
 *
 *   file save ─> chokidar ─> relevant? (scope, not ignored, not editor noise) ─> debounce ─> ReloadQueue
 *                                                                                   └─> orchestrator.reload(svc)
 *
 * An editor's atomic save (write a temp file, rename it over the original) fires several events within a
 * few milliseconds; the debounce turns them into one reload. The old version keeps serving until the new
 * one is registered and passing (InstanceSupervisor.replace), so no request fails across a reload.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ServiceConfig, Topology } from '../config/topology.ts';
import type { Orchestrator } from '../engine/orchestrator.ts';
import { SystemClock, type Clock, type Timer } from '../clock/clock.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { countEntries } from './count-entries.ts';
import { watchScope } from './watch-scope.ts';
import { ReloadQueue, type ReloadEvent } from './reload-queue.ts';

export type { ReloadEvent } from './reload-queue.ts';

export interface WatchingOptions {
  /** One plain line per event (change seen, build output, reload result); `micro-dev up` prints them. */
  onLine?: (line: string) => void;
  /** Called after every reload run, with its outcome and duration. */
  onReload?: (event: ReloadEvent) => void;
  /** Most files and folders one service may watch; more is an error naming the service. Default 10,000. */
  maxEntries?: number;
  clock?: Clock;
}

export interface Watching {
  /**
   * Follows a live edit of micro.dev.yaml: an added service (or one that gained `watch`) is watched, a
   * removed one (or one that lost it) no longer, one whose watch settings changed is watched anew.
   * Rejects like startWatching (a service over the entry cap); the others stay as they were.
   */
  update(topology: Topology): Promise<void>;
  /** Stops the watchers; resolves once they are closed. A reload already running finishes (or is cancelled by the orchestrator's shutdown). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_WATCHED_ENTRIES = 10_000;

// Files editors write beside the real one while saving; on their own they are no reason to reload.
const EDITOR_NOISE = [/\.sw[a-p]$/, /~$/, /^\.#/, /^#.*#$/, /^4913$/, /\.tmp$/, /\.crswap$/, /^\.goutputstream-/];

/**
 * Watches every service that has `watch` and reloads it on change. Resolves once every watcher is ready
 * (initial scan done), so a save right after this resolves is seen. Rejects with CONFIG_INVALID when a
 * service would watch more than maxEntries entries; nothing is left watching then.
 * The caller owns the result and must close() it before shutting the orchestrator down.
 */
export async function startWatching(orchestrator: Orchestrator, topology: Topology, options: WatchingOptions = {}): Promise<Watching> {
  const clock = options.clock ?? new SystemClock();
  const cap = options.maxEntries ?? DEFAULT_MAX_WATCHED_ENTRIES;
  const configDir = path.dirname(topology.file);
  const line = (text: string) => options.onLine?.(text);
  const queue = new ReloadQueue(orchestrator, topology, { onLine: options.onLine, onReload: options.onReload });
  // Per watched service: its watcher and the settings it was made from (a change of them re-makes it).
  const watchers = new Map<string, { watcher: FSWatcher; key: string }>();
  const timers = new Map<string, Timer>();
  let closed = false;
  const unwatch = async (name: string) => {
    timers.get(name)?.cancel();
    timers.delete(name);
    const entry = watchers.get(name);
    watchers.delete(name);
    await entry?.watcher.close();
  };
  const close = async () => {
    closed = true;
    queue.close();
    await Promise.allSettled([...watchers.keys()].map(unwatch));
  };
  const settingsKey = (service: ServiceConfig) => JSON.stringify([service.watch, service.module]);
  const update = async (next: Topology) => {
    if (closed) return;
    queue.setTopology(next);
    const wanted = new Map(next.services.filter((s) => s.watch).map((s) => [s.name, s]));
    for (const [name, entry] of [...watchers]) {
      const service = wanted.get(name);
      if (service && settingsKey(service) === entry.key) continue;
      await unwatch(name);
      if (!service) line(`${name} no longer watched`);
    }
    for (const service of wanted.values()) {
      if (watchers.has(service.name) || closed) continue;
      const watcher = await watchService(service);
      if (closed) await watcher.close();
      else watchers.set(service.name, { watcher, key: settingsKey(service) });
    }
  };

  try {
    await update(topology);
  } catch (error) {
    await close();
    throw error;
  }
  return { update, close };

  async function watchService(service: ServiceConfig): Promise<FSWatcher> {
    const config = service.watch!;
    const scope = watchScope(config, configDir);
    const count = await countEntries(scope.roots, scope.ignored, cap);
    if (count > cap) {
      throw new MicroDevError(
        'CONFIG_INVALID',
        `services.${service.name}.watch covers more than ${cap.toLocaleString('en-US')} files and folders (${scope.roots.map((r) => path.relative(configDir, r) || '.').join(', ')})`,
        { hints: [`narrow services.${service.name}.watch.paths, or add folders to watch.ignore (e.g. dist/, build/)`] },
      );
    }
    let firstChange: string | undefined;
    let firstAt = 0;
    const fire = () => {
      timers.delete(service.name);
      const reason = firstChange ?? 'change';
      firstChange = undefined;
      void queue.request(service.name, { build: true, reason });
    };
    const onChange = (event: string, file: string) => {
      if (!scope.relevant(file) || EDITOR_NOISE.some((re) => re.test(path.basename(file)))) return;
      if (firstChange === undefined) {
        firstChange = `${event} ${path.relative(configDir, file)}`;
        firstAt = clock.now();
        line(`${service.name} changed: ${path.relative(configDir, file)}`);
      }
      timers.get(service.name)?.cancel();
      // Trailing debounce, but a folder that never goes quiet (a generator writing for ever) still reloads.
      const wait = Math.max(0, Math.min(config.debounceMs, firstAt + config.debounceMs * 10 - clock.now()));
      timers.set(service.name, clock.setTimeout(fire, wait));
    };
    const watcher = watch(scope.roots, {
      ignoreInitial: true,
      ignored: (p: string) => scope.ignored(p),
      atomic: true,
      persistent: true,
    });
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') onChange(event, path.resolve(file));
    });
    watcher.on('error', (error) => line(`${service.name} watch error: ${error instanceof Error ? error.message : String(error)}`));
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    line(`${service.name} watching ${scope.roots.map((r) => path.relative(configDir, r) || '.').join(', ')} (${count} ${count === 1 ? 'entry' : 'entries'})`);
    return watcher;
  }
}
