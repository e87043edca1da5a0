/**
 * findEtcdBinary: the `etcd` server micro-dev runs for `registry: {kind: etcd}`, looked up on PATH as a
 * shell would (Debian's `etcd-server` package installs /usr/bin/etcd). MICRO_DEV_ETCD names another one.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

export function findEtcdBinary(env: Record<string, string | undefined> = process.env): string {
  const explicit = env.MICRO_DEV_ETCD;
  if (explicit) {
    if (executable(explicit)) return explicit;
    throw new MicroDevError('START_FAILED', `registry kind etcd: MICRO_DEV_ETCD=${explicit} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'etcd');
    if (executable(candidate)) return candidate;
  }
  throw new MicroDevError('START_FAILED', 'registry kind etcd needs the etcd server, and no "etcd" is on PATH', {
    hints: [
      'install it: sudo apt-get install etcd-server etcd-client   (Debian/Ubuntu; etcd 3.4)',
      'or set MICRO_DEV_ETCD to the path of an etcd binary',
    ],
  });
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
