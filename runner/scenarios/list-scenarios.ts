/**
 * listScenarios: the built-in scenarios (scenarios/*.yaml), name and first description line, sorted by
 * name. Reads the files' `description:` without checking them (`scenario run` checks).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { BUILTIN_SCENARIO_DIR } from './scenario-paths.ts';

export interface ScenarioEntry {
  name: string;
  file: string;
  description: string;
}

export async function listScenarios(dir: string = BUILTIN_SCENARIO_DIR): Promise<ScenarioEntry[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.yaml'));
  const entries = await Promise.all(
    files.map(async (f) => {
      const file = path.join(dir, f);
      let description = '';
      try {
        const doc = YAML.parse(await readFile(file, 'utf8')) as { description?: unknown } | null;
        if (typeof doc?.description === 'string') description = doc.description.trim().split('\n')[0] ?? '';
      } catch {
        description = '(does not parse; scenario run shows why)';
      }
      return { name: path.basename(f, '.yaml'), file, description };
    }),
  );
  return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
