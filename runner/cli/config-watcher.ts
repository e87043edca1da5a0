/**
 * watchConfig: `up` follows edits of its micro.dev.yaml. Each save (debounced) is loaded through the whole
 * config pipeline; a valid one is applied live (Orchestrator.applyTopology), an invalid one is reported as
 * FILE:LINE:COL lines and the running topology stays as it is.
 *
 *   fs.watch(folder) ──save──> debounce ──> loadTopology ──ok──> applyTopology ──> one line per change
 *                                                        └─problems──> the lines, "still running the previous"
 */
import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadTopology } from '../config/load-topology.ts';
import type { Topology } from '../config/topology.ts';
import { isMicroDevError } from '../errors/micro-dev-error.ts';

export interface ConfigWatchOptions {
  /** The topology as `up` runs it (e.g. --no-watch strips `watch`): applied to every edit the same way. */
  prepare: (topology: Topology) => Topology;
  apply: (topology: Topology) => Promise<string[]>;
  print: (line: string) => void;
  debounceMs?: number;
}

/** Starts following `file`; the returned close() stops it (and waits for an edit being applied). */
export function watchConfig(file: string, options: ConfigWatchOptions): { close(): Promise<void> } {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let applying: Promise<void> = Promise.resolve();
  let lastText: string | undefined;
  let closed = false;
  const say = (line: string) => options.print(`config           ${line}`);
  const check = () => {
    applying = applying.then(async () => {
      if (closed) return;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      // Editors write a file in several steps (and touch it without changes): act on new content only.
      if (text === undefined || text === lastText) return;
      lastText = text;
      let next: Topology;
      try {
        next = options.prepare(await loadTopology(file));
      } catch (error) {
        const message = isMicroDevError(error) ? error.message : String(error);
        say(`${name} has problems; still running the previous topology:`);
        for (const line of message.split('\n')) options.print(`  ${line}`);
        return;
      }
      const lines = await options.apply(next);
      say(lines.length ? `${name} changed:` : `${name} saved, nothing to apply`);
      for (const line of lines) say(`  ${line}`);
    });
  };
  void readFile(file, 'utf8').then((text) => (lastText ??= text), () => undefined);
  const watcher = watch(dirname(file), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    clearTimeout(timer);
    timer = setTimeout(check, options.debounceMs ?? 200);
  });
  watcher.on('error', () => undefined);
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
      await applying;
    },
  };
}
