/**
 * micro-dev scenario export chaos-mesh NAME...|--all [-o DIR] [--namespace N] [-c FILE]
 * Each scenario as a Chaos Mesh Workflow in DIR/<scenario>.yaml. A scenario with a fault that has no Chaos
 * Mesh form is not written and named with the reason; then the exit code is 2 (the others are written).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseCli } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { exportChaosMesh } from '../../export/chaos-mesh/export-chaos-mesh.ts';
import { listScenarios } from '../../scenarios/list-scenarios.ts';

export const exportUsage = 'micro-dev scenario export chaos-mesh NAME...|--all [-o DIR] [--namespace N] [-c FILE]';

export async function runExport(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('scenario export', args, {
    all: { type: 'boolean' },
    out: { type: 'string', short: 'o' },
    namespace: { type: 'string' },
  });
  const [target, ...names] = positionals;
  if (target !== 'chaos-mesh') {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario export: expected "chaos-mesh", got ${target ? `"${target}"` : 'nothing'}`, { hints: [exportUsage] });
  }
  const selected = values.all ? (await listScenarios()).map((e) => e.name) : names;
  if (selected.length === 0) throw new MicroDevError('BAD_ARGUMENTS', 'scenario export chaos-mesh: name at least one scenario, or --all', { hints: [exportUsage] });
  const namespace = values.namespace ?? 'default';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
    throw new MicroDevError('BAD_ARGUMENTS', `scenario export chaos-mesh: --namespace "${namespace}" is not a Kubernetes namespace name (lower-case letters, digits, -)`);
  }
  const given = values.config;
  const baseTopology = given ? path.resolve(given) : existsSync('micro.dev.yaml') ? path.resolve('micro.dev.yaml') : undefined;
  const outDir = path.resolve(values.out ?? 'chaos-mesh');
  const crdDir = process.env.MICRO_DEV_CHAOS_MESH_CRDS;
  const result = await exportChaosMesh(selected, { outDir, namespace, ...(baseTopology ? { baseTopology } : {}), ...(crdDir ? { crdDir } : {}) });
  for (const w of result.written) {
    process.stdout.write(`wrote ${shown(w.file)}\n`);
    for (const note of w.notes) process.stdout.write(`  note: ${note}\n`);
  }
  if (result.unmapped.length === 0) return 0;
  const lines = result.unmapped.flatMap((u) => u.reasons.map((r) => `  ${u.scenario}: ${r}`));
  throw new MicroDevError(
    'CONFIG_INVALID',
    `scenario export chaos-mesh: ${result.unmapped.length} of ${selected.length} scenarios have a fault with no Chaos Mesh equivalent and were not exported:\n${lines.join('\n')}`,
    { hints: ['`micro-dev scenario run NAME` runs them here, where every fault exists'] },
  );
}

/** A path under the current folder relative to it, any other absolute. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}
