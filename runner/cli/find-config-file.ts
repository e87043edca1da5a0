import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_FILE_NAME = 'micro.dev.yaml';

/**
 * The project's config, as Compose finds its file: `micro.dev.yaml` in `from` or the nearest parent folder
 * that has one. None anywhere: `<from>/micro.dev.yaml` (so "not found" names the folder the user is in).
 */
export function findConfigFile(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return join(resolve(from), CONFIG_FILE_NAME);
  }
}
