/**
 * loadTopology: the public entry of runner/config. Reads micro.dev.yaml and returns a Topology with every
 * field filled, or throws a MicroDevError listing every problem as `FILE:LINE:COL: message`.
 * validateTopologyFile is the same check for `micro-dev validate`, returning the problems instead.
 * The pipeline itself (pure, testable on strings) is checkTopologyText.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { checkTopologyText, type TopologyCheck } from './check-topology-text.ts';
import { formatProblem, type ConfigProblem } from './config-problem.ts';
import type { Topology } from './topology.ts';

export type { ConfigProblem } from './config-problem.ts';
export { formatProblem } from './config-problem.ts';

/**
 * Reads and checks `file` (relative to the process cwd, or absolute). Throws MicroDevError CONFIG_NOT_FOUND
 * when it cannot be read, CONFIG_INVALID (message: one problem per line) when it has problems.
 */
export async function loadTopology(file: string): Promise<Topology> {
  const check = await checkFile(file);
  if (check.topology) return check.topology;
  const n = check.problems.length;
  throw new MicroDevError('CONFIG_INVALID', check.problems.map((p) => formatProblem(p)).join('\n'), {
    hints: [`${n} problem${n === 1 ? '' : 's'} in ${shown(file)}; \`micro-dev validate -c ${shown(file)}\` lists them again`],
  });
}

/** Every problem in `file` ([] when valid), for `micro-dev validate`. Throws CONFIG_NOT_FOUND like loadTopology. */
export async function validateTopologyFile(file: string): Promise<ConfigProblem[]> {
  return (await checkFile(file)).problems;
}

async function checkFile(file: string): Promise<TopologyCheck> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code ?? String(e)})`;
    throw new MicroDevError('CONFIG_NOT_FOUND', `config file ${shown(file)} ${why}; pass another with -c FILE, or run in the folder that holds micro.dev.yaml`, {
      cause: e,
      hints: ['the default topology is micro.dev.yaml at the repository root'],
    });
  }
  return checkTopologyText(text, abs);
}

/** `./x.yaml` for a file under cwd, else the path as given. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : `./${rel}`;
}
