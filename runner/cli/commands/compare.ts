/**
 * micro-dev compare [--registries consul,eureka,nacos,etcd] [--scenarios DRILL,...] [--seed N] [--json FILE] [--markdown FILE]
 * Runs the same drills against each registry (runner/compare) and prints the comparison as a Markdown table.
 * Exit 0 when every drill ran (whatever it measured), 2 when one could not run (or bad usage).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCli } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { DRILLS, type DrillName } from '../../compare/compare-drills.ts';
import { kindAvailable, REGISTRY_KINDS, type RegistryKind } from '../../compare/registry-kinds.ts';
import { compareMarkdown, runCompare } from '../../compare/run-compare.ts';
import { findEtcdBinary } from '../../registry/etcd/find-etcd-binary.ts';
import { EXIT_CANNOT_RUN, EXIT_OK } from '../exit-codes.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('compare', args, {
    registries: { type: 'string' },
    scenarios: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'string' },
  });
  if (positionals.length) throw new MicroDevError('BAD_ARGUMENTS', `compare: unexpected argument "${positionals[0]}"`, { hints: ['micro-dev compare --help shows the options'] });
  const available = REGISTRY_KINDS.filter(kindAvailable);
  // etcd is a real server: by default it joins the table when it is installed; asked for, it must be.
  const etcdProblem = etcdMissing();
  const byDefault = available.filter((k) => k !== 'etcd' || !etcdProblem);
  if (values.registries === undefined && etcdProblem && available.includes('etcd')) process.stdout.write(`[compare] etcd left out: ${etcdProblem.message}\n`);
  const registries = listOf('--registries', values.registries, REGISTRY_KINDS, byDefault) as RegistryKind[];
  for (const r of registries) {
    if (!available.includes(r)) throw new MicroDevError('BAD_ARGUMENTS', `compare: registry ${r} is not available in this build (available: ${available.join(', ')})`);
    if (r === 'etcd' && etcdProblem) throw new MicroDevError('BAD_ARGUMENTS', `compare: ${etcdProblem.message}`, { hints: [...etcdProblem.hints] });
  }
  const drills = listOf('--scenarios', values.scenarios, DRILLS, DRILLS) as DrillName[];
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new MicroDevError('BAD_ARGUMENTS', `compare: --seed must be an integer 0..4294967295, got "${values.seed}"`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let report;
  try {
    report = await runCompare({ registries, drills, ...(seed !== undefined ? { seed } : {}), signal: abort.signal, onProgress: (l) => process.stdout.write(`${l}\n`) });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const table = compareMarkdown(report);
  process.stdout.write(`\n${table}`);
  if (values.json) await write(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.markdown) await write(values.markdown, table);
  return abort.signal.aborted || report.runs.some((r) => r.verdict === 'error') ? EXIT_CANNOT_RUN : EXIT_OK;
}

/** A comma list checked against the known names (did-you-mean via the message), or the default. */
function listOf(flag: string, value: string | undefined, known: readonly string[], dflt: readonly string[]): string[] {
  if (value === undefined) return [...dflt];
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new MicroDevError('BAD_ARGUMENTS', `compare: ${flag} needs at least one name (known: ${known.join(', ')})`);
  for (const item of items) {
    if (!known.includes(item)) throw new MicroDevError('BAD_ARGUMENTS', `compare: ${flag}: unknown name "${item}" (known: ${known.join(', ')})`);
  }
  return [...new Set(items)];
}

function etcdMissing(): MicroDevError | undefined {
  try {
    findEtcdBinary();
    return undefined;
  } catch (error) {
    if (error instanceof MicroDevError) return error;
    throw error;
  }
}

async function write(file: string, text: string): Promise<void> {
  await writeFile(path.resolve(file), text);
  process.stdout.write(`wrote ${file}\n`);
}
