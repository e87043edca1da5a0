/**
 * watchScope: what one service's watcher looks at. `watch.paths` are absolute (the config resolved them);
 * a path with glob characters (`src/**\/*.ts`) is watched from its static base folder and filtered by the
 * glob, because chokidar (v4+) takes no globs. `ignore` wins over `paths`.
 */
import path from 'node:path';
import type { WatchConfig } from '../config/topology.ts';
import { ignoreMatcher } from './ignore-matcher.ts';

export interface WatchScope {
  /** Existing files or folders to hand to the watcher. */
  roots: string[];
  /** True for a path (file or folder) the watcher should not descend into or report. */
  ignored(absolutePath: string): boolean;
  /** True for a changed file that should trigger a reload (inside a root, matching its glob if any). */
  relevant(absolutePath: string): boolean;
}

const GLOB_CHARS = /[*?[\]{}]/;

export function watchScope(watch: WatchConfig, configDir: string): WatchScope {
  const isIgnored = ignoreMatcher(watch.ignore, configDir);
  const entries = watch.paths.map((p) => {
    const parts = path.resolve(p).split(path.sep);
    const firstGlob = parts.findIndex((s) => GLOB_CHARS.test(s));
    if (firstGlob === -1) return { root: path.resolve(p), glob: undefined };
    return { root: parts.slice(0, firstGlob).join(path.sep) || path.sep, glob: path.resolve(p) };
  });
  const roots = [...new Set(entries.map((e) => e.root))];
  return {
    roots,
    ignored: isIgnored,
    relevant: (file) =>
      !isIgnored(file) &&
      entries.some((e) => {
        const within = file === e.root || file.startsWith(e.root.endsWith(path.sep) ? e.root : e.root + path.sep);
        return within && (e.glob === undefined || path.matchesGlob(file, e.glob));
      }),
  };
}
