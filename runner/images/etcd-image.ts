/**
 * An etcd image made from this machine's etcd (Debian's etcd-server / etcd-client, or MICRO_DEV_ETCD), with no
 * registry at all, for `export compose` where the public etcd image cannot be pulled: `etcd` and `etcdctl` at
 * /usr/local/bin (where the public images keep them), the libraries they link, imported with `docker import`.
 * Tagged `micro-dev/etcd:<version>` and labelled with that version, so an unchanged etcd costs one `inspect`.
 *
 *   etcd, etcdctl ──ldd──> libs ──copy──> tmp rootfs ──tar──> docker import ──> micro-dev/etcd:3.4.23
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { findEtcdBinary } from '../registry/etcd/find-etcd-binary.ts';
import { IMAGE_PATH_ENV, importRootfs, inspectImageLabels, layOutRootfs, splitTag } from './base-image.ts';

const run = promisify(execFile);

export const ETCD_VERSION_LABEL = 'dev.micro-dev.etcd-version';
/** Where the etcd images (the public ones and this one) keep their binaries. */
export const IMAGE_ETCD_PATH = '/usr/local/bin/etcd';
export const IMAGE_ETCDCTL_PATH = '/usr/local/bin/etcdctl';

export interface EtcdImage {
  tag: string;
  version: string;
  built: boolean;
}

/** Builds micro-dev/etcd:<version> from the host's etcd unless it exists with that version. */
export async function ensureEtcdImage(docker: Docker, options: { log?: (line: string) => void } = {}): Promise<EtcdImage> {
  const etcd = await realpath(findEtcdBinary());
  const etcdctl = await findEtcdctl(etcd);
  const version = /etcd Version:\s*(\S+)/.exec((await run(etcd, ['--version'])).stdout)?.[1];
  if (!version) throw new MicroDevError('START_FAILED', `${etcd} --version printed no "etcd Version:" line`);
  const tag = `micro-dev/etcd:${version}`;
  if ((await inspectImageLabels(docker, tag))?.[ETCD_VERSION_LABEL] === version) return { tag, version, built: false };

  options.log?.(`building etcd image ${tag} from ${etcd}`);
  const root = await mkdtemp(path.join(tmpdir(), 'micro-dev-etcd-rootfs-'));
  try {
    await layOutRootfs(root, [
      { from: etcd, to: IMAGE_ETCD_PATH },
      { from: etcdctl, to: IMAGE_ETCDCTL_PATH },
    ]);
    await mkdir(path.join(root, 'var/lib/etcd'), { recursive: true });
    // A private tag first, as the base image does: two builders at once leave no dangling image behind.
    const building = `micro-dev/etcd:building-${process.pid}-${Date.now().toString(36)}`;
    await importRootfs(docker, root, building, [`ENV PATH=${IMAGE_PATH_ENV}`, `LABEL ${ETCD_VERSION_LABEL}=${version}`, 'WORKDIR /var/lib/etcd', `CMD ["${IMAGE_ETCD_PATH}"]`]);
    if ((await inspectImageLabels(docker, tag))?.[ETCD_VERSION_LABEL] !== version) {
      const [repo, version_] = splitTag(tag);
      await docker.getImage(building).tag({ repo, tag: version_ });
    }
    await docker.getImage(building).remove();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  options.log?.(`built etcd image ${tag}`);
  return { tag, version, built: true };
}

/** etcdctl beside the etcd binary, else on PATH (the health check of the exported etcd runs it). */
async function findEtcdctl(etcd: string): Promise<string> {
  for (const dir of [path.dirname(etcd), ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean)]) {
    const candidate = path.join(dir, 'etcdctl');
    const found = await realpath(candidate).catch(() => undefined);
    if (found) return found;
  }
  throw new MicroDevError('START_FAILED', 'the etcd image needs etcdctl beside etcd or on PATH (Debian: sudo apt-get install etcd-client)');
}
