import { parseCli, configPath } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { ConsulRegistryClient } from '../../../services/kit/registry-client.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

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
    names.map(async (name) => ({ name, versions: (await registry.getService(name)).services })),
  );
  if (values.json) {
    process.stdout.write(JSON.stringify(services, null, 2) + '\n');
    return 0;
  }
  if (services.length === 0) process.stdout.write(`no services registered at ${targets.registry}\n`);
  for (const { name, versions } of services) {
    process.stdout.write(`${name}\n`);
    for (const v of versions) {
      for (const node of v.nodes) process.stdout.write(`  ${node.id}  ${node.address}  version ${v.version}\n`);
    }
    if (versions.every((v) => v.nodes.length === 0)) process.stdout.write('  (no passing instances)\n');
  }
  return 0;
}
