/**
 * The etcd members of an exported topology with registry kind etcd (Compose services, or the pods of the
 * Kubernetes StatefulSet): each one's command line and health check. The command names the binary, as the
 * public images (quay.io/coreos/etcd, gcr.io/etcd-development/etcd: no entrypoint, binaries in
 * /usr/local/bin) and micro-dev's own `micro-dev/etcd` (runner/images/etcd-image.ts) both want.
 *
 *   member: --name NAME, clients on 0.0.0.0:2379 advertised as HOST:2379, peers on 0.0.0.0:2380
 *           advertised as HOST:2380, --initial-cluster every member's NAME=http://HOST:2380
 */
import { IMAGE_ETCD_PATH, IMAGE_ETCDCTL_PATH } from '../images/etcd-image.ts';

/** The public etcd image the exports name by default (the release line micro-dev runs; Debian ships 3.4). */
export const DEFAULT_ETCD_IMAGE = 'quay.io/coreos/etcd:v3.4.34';
export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;
export const ETCD_DATA_DIR = '/var/lib/etcd';

export interface EtcdMember {
  name: string;
  /** The name the others and the clients dial (a Compose service name, a pod's DNS name). */
  host: string;
}

export function etcdMemberCommand(member: EtcdMember, cluster: EtcdMember[], token: string): string[] {
  return [
    IMAGE_ETCD_PATH,
    '--name', member.name,
    '--data-dir', `${ETCD_DATA_DIR}/data`,
    '--listen-client-urls', `http://0.0.0.0:${ETCD_CLIENT_PORT}`,
    '--advertise-client-urls', `http://${member.host}:${ETCD_CLIENT_PORT}`,
    '--listen-peer-urls', `http://0.0.0.0:${ETCD_PEER_PORT}`,
    '--initial-advertise-peer-urls', `http://${member.host}:${ETCD_PEER_PORT}`,
    '--initial-cluster', cluster.map((m) => `${m.name}=http://${m.host}:${ETCD_PEER_PORT}`).join(','),
    '--initial-cluster-token', token,
    '--initial-cluster-state', 'new',
  ];
}

/** Healthy = this member answers and the cluster has a leader (etcdctl endpoint health writes nothing). */
export function etcdHealthCommand(): string[] {
  return [IMAGE_ETCDCTL_PATH, '--endpoints', `http://127.0.0.1:${ETCD_CLIENT_PORT}`, '--command-timeout', '3s', 'endpoint', 'health'];
}

/** What clients dial: every member's client URL host:port, comma separated (MICRO_REGISTRY_ADDRESS). */
export function etcdEndpoints(cluster: EtcdMember[]): string {
  return cluster.map((m) => `${m.host}:${ETCD_CLIENT_PORT}`).join(',');
}
