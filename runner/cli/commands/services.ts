import { parseCli, configPath } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { ConsulRegistryClient } from '../../../services/kit/registry-client.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { RegistryNode } from '../../../services/kit/types.ts';

/** `micro-dev services`: every service in the registry with its passing instances. */
export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('services', args, { json: { type: 'boolean' } });
  const targets = await resolveTargets(configPath(values.config));
  const registry = new ConsulRegistryClient(targets.registry);
  let names: string[];
  try {
    names = (await registry.listServices()).filter((n) => n !== 'consul').sort();
  } catch (error) {
    throw new MicroDevError('NOT_RUNNING', `the registry at ${targets.registry} is not answering: ${(error as Error).message}`, {
      hints: ['start the topology with: npx micro-dev up'],
    });
  }
  const services = await Promise.all(
    names.map(async (name) => {
      const [versions, faces] = await Promise.all([registry.getService(name).then((r) => r.services), facesOf(targets.registry, name)]);
      // Each node with the registry face it came through and its selector weight (default 1).
      for (const v of versions) {
        for (const node of v.nodes as (RegistryNode & { face?: string; weight?: number })[]) {
          node.face = faces.get(node.id) ?? 'consul';
          const w = Number(node.metadata.weight);
          node.weight = node.metadata.weight !== undefined && node.metadata.weight !== '' && w >= 0 ? w : 1;
        }
      }
      return { name, versions };
    }),
  );
  if (values.json) {
    process.stdout.write(JSON.stringify(services, null, 2) + '\n');
    return 0;
  }
  if (services.length === 0) process.stdout.write(`no services registered at ${targets.registry}\n`);
  for (const { name, versions } of services) {
    process.stdout.write(`${name}\n`);
    for (const v of versions) {
      for (const node of v.nodes as (RegistryNode & { face?: string; weight?: number })[]) {
        process.stdout.write(`  ${node.id}  ${node.address}  version ${v.version}  ${node.face}  weight ${node.weight}\n`);
      }
    }
    if (versions.every((v) => v.nodes.length === 0)) process.stdout.write('  (no passing instances)\n');
  }
  return 0;
}

/**
 * Service id -> the wire face it registered through (the embedded registry's Meta `micro-dev-face`;
 * a real Consul has only consul). A registry that does not answer here leaves every node on consul.
 */
async function facesOf(registry: string, name: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  try {
    const res = await fetch(`http://${registry}/v1/health/service/${encodeURIComponent(name)}`, { signal: AbortSignal.timeout(5_000) });
    const entries = (await res.json()) as { Service?: { ID?: string; Meta?: Record<string, string> | null } }[];
    for (const e of entries) {
      const face = e.Service?.Meta?.['micro-dev-face'];
      if (e.Service?.ID && face) out.set(e.Service.ID, face);
    }
  } catch {
    // the version listing above already said whether the registry answers
  }
  return out;
}
