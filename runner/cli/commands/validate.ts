import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { parseCli, configPath } from '../cli-args.ts';
import { validateTopologyFile, formatProblem } from '../../config/load-topology.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { EXIT_OK, exitCodeFor } from '../exit-codes.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('validate', args, {});
  const file = configPath(values.config);
  if (!existsSync(file)) throw new MicroDevError('CONFIG_NOT_FOUND', `config file ${relative(process.cwd(), file) || file} not found`);
  const problems = await validateTopologyFile(file);
  for (const problem of problems) process.stdout.write(formatProblem(problem) + '\n');
  if (problems.length === 0) process.stdout.write(`${relative(process.cwd(), file) || file}: ok\n`);
  // An invalid config is "could not run" everywhere (up says the same about it).
  return problems.length === 0 ? EXIT_OK : exitCodeFor.CONFIG_INVALID;
}
