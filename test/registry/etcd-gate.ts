/**
 * The etcd gate of the integration suite: run when an `etcd` server is on PATH; without one, skip with a
 * warning, or fail when MICRO_DEV_REQUIRE_ETCD=1 (CI installs etcd-server and sets it).
 */
import { findEtcdBinary } from '../../runner/registry/etcd/find-etcd-binary.ts';

export function etcdGate(): { run: boolean; mustFail: boolean; reason: string } {
  let available = true;
  let reason = '';
  try {
    findEtcdBinary();
  } catch (error) {
    available = false;
    reason = (error as Error).message;
  }
  const required = process.env.MICRO_DEV_REQUIRE_ETCD === '1';
  if (!available && !required) console.warn(`etcd tests skipped: ${reason}; set MICRO_DEV_REQUIRE_ETCD=1 to make this a failure`);
  return { run: available, mustFail: !available && required, reason };
}
