import { parseCli, configPath } from '../cli-args.ts';
import { loadTopology } from '../../config/load-topology.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/**
 * `micro-dev images prepare`: builds the base image (from this machine's Node, no registry needed) and
 * every container service's image of the topology; with registry kind etcd, an etcd image from this
 * machine's etcd (runner/images/etcd-image.ts) for `export compose --etcd-image`.
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
  if (topology.registry.kind === 'etcd') {
    // For `export compose` where the public etcd image cannot be pulled: one made from this machine's etcd.
    const { ensureEtcdImage } = await import('../../images/etcd-image.ts');
    const { connectDocker } = await import('../../runtimes/container/docker-client.ts');
    const etcd = await ensureEtcdImage(await connectDocker(), { log: (line: string) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`etcd image ${etcd.tag} (export compose --etcd-image ${etcd.tag})\n`);
  }
  process.stdout.write(`images ready in ${(prepared.tookMs / 1000).toFixed(1)} s\n`);
  return 0;
}
