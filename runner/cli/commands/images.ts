import { parseCli, configPath } from '../cli-args.ts';
import { loadTopology } from '../../config/load-topology.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/**
 * `micro-dev images prepare`: builds the base image (from this machine's Node, no registry needed) and
 * every container service's image of the topology.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('images', args, {});
  if (positionals[0] !== 'prepare' || positionals.length > 1) {
    throw new MicroDevError('BAD_ARGUMENTS', `images: unknown subcommand "${positionals.join(' ')}"; try: micro-dev images prepare`);
  }
  const topology = await loadTopology(configPath(values.config));
  const { prepareImages } = await import('../../images/prepare-images.ts');
  const prepared = await prepareImages(topology, { log: (line: string) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`base image ${prepared.base.tag}\n`);
  for (const s of prepared.services) {
    process.stdout.write(`${s.service}: ${s.plan.mode} ${s.plan.image}${s.built ? ' (built)' : ''}\n`);
  }
  process.stdout.write(`images ready in ${(prepared.tookMs / 1000).toFixed(1)} s\n`);
  return 0;
}
