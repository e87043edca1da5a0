/** `micro-dev export compose|kubernetes`: the topology as files for Docker Compose or Kubernetes. */
import path from 'node:path';
import { parseCli, configPath } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('export', args, {
    out: { type: 'string', short: 'o' },
    'node-image': { type: 'string' },
    base: { type: 'string', multiple: true },
    consul: { type: 'boolean' },
    'etcd-image': { type: 'string' },
    namespace: { type: 'string' },
  });
  const [format, ...extra] = positionals;
  if ((format !== 'compose' && format !== 'kubernetes') || extra.length > 0) {
    const got = positionals.length === 0 ? 'nothing' : `"${positionals.join(' ')}"`;
    throw new MicroDevError('BAD_ARGUMENTS', `export needs compose or kubernetes, got ${got}; e.g. micro-dev export compose -o deploy/compose`);
  }
  if (format === 'compose' && values.namespace !== undefined) {
    throw new MicroDevError('BAD_ARGUMENTS', 'export compose: --namespace is for export kubernetes');
  }
  if (format === 'kubernetes' && values.consul) {
    throw new MicroDevError('BAD_ARGUMENTS', 'export kubernetes: --consul is for export compose (Kubernetes always gets a registry StatefulSet)');
  }
  const common = {
    configFile: configPath(values.config),
    ...(values.out ? { outDir: path.resolve(values.out) } : {}),
    ...(values['node-image'] ? { nodeImage: values['node-image'] } : {}),
    bases: parseBases(values.base ?? []),
    ...(values['etcd-image'] ? { etcdImage: values['etcd-image'] } : {}),
  };
  const result =
    format === 'compose'
      ? await (await import('../../export/compose/export-compose.ts')).exportCompose({ ...common, consul: values.consul === true })
      : await (await import('../../export/kubernetes/export-kubernetes.ts')).exportKubernetes({ ...common, ...(values.namespace ? { namespace: values.namespace } : {}) });
  const shown = (file: string) => path.relative(process.cwd(), file) || '.';
  for (const file of result.files) process.stdout.write(`wrote ${shown(file)}\n`);
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(
    format === 'compose'
      ? `next: docker compose -f ${shown(path.join(result.outDir, 'compose.yaml'))} up --build\n`
      : `next: build and push the images (README "When one machine is not enough"), then kubectl apply -k ${shown(result.outDir)}\n`,
  );
  return 0;
}

/** `--base hello-go=golang:1.22` (repeatable) -> { 'hello-go': 'golang:1.22' }. */
function parseBases(values: string[]): Record<string, string> {
  const bases: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0 || eq === value.length - 1) throw new MicroDevError('BAD_ARGUMENTS', `--base ${value}: expected SERVICE=IMAGE, e.g. --base hello-go=golang:1.22`);
    bases[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return bases;
}
