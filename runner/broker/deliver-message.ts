/**
 * go-micro v1 HTTP broker delivery (gm@v1.18.0:broker/http_broker.go): find subscriber nodes of
 * `go.micro.http.broker` with metadata broker=http and topic=<topic>, then POST
 * `{"Header":{...,":topic":"<topic>"},"Body":"<base64>"}` to `http://<node>/_sub?id=<node id>`.
 *   broadcast (version `ff.http.broadcast`, or no `queue` metadata): every node gets it;
 *   queue group (metadata `queue`, or any other version): one random node per group.
 */
import { Agent, request } from 'undici';
import type { RegistryNode, ServiceInfo } from '../../services/kit/types.ts';

export const BROKER_SERVICE = 'go.micro.http.broker';
export const BROADCAST_VERSION = 'ff.http.broadcast';

/** Chooses the nodes one publish goes to. `random` is injectable for tests. */
export function deliveryTargets(services: readonly ServiceInfo[], topic: string, random: () => number = Math.random): RegistryNode[] {
  const out: RegistryNode[] = [];
  const groups = new Map<string, RegistryNode[]>();
  for (const svc of services) {
    for (const node of svc.nodes) {
      if (node.metadata.broker !== 'http' || node.metadata.topic !== topic) continue;
      const queue = node.metadata.queue || (svc.version !== BROADCAST_VERSION && svc.version !== 'latest' ? svc.version : '');
      if (!queue) out.push(node);
      else {
        const g = groups.get(queue) ?? [];
        g.push(node);
        groups.set(queue, g);
      }
    }
  }
  for (const g of groups.values()) {
    const n = g[Math.floor(random() * g.length)];
    if (n) out.push(n);
  }
  return out;
}

/** The JSON envelope go-micro's json codec makes of a broker.Message. */
export function encodeMessage(topic: string, body: Buffer, headers: Record<string, string>): string {
  return JSON.stringify({ Header: { ...headers, ':topic': topic }, Body: body.toString('base64') });
}

const agent = new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 2_000 } });

/** POSTs one envelope to every target; resolves with how many answered 2xx (never rejects). */
export async function deliver(targets: readonly RegistryNode[], envelope: string, timeoutMs = 5_000): Promise<number> {
  const results = await Promise.allSettled(
    targets.map(async (node) => {
      const scheme = node.metadata.secure === 'true' ? 'https' : 'http';
      const res = await request(`${scheme}://${node.address}/_sub?id=${encodeURIComponent(node.id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: envelope,
        dispatcher: agent,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`status ${res.statusCode}`);
    }),
  );
  return results.filter((r) => r.status === 'fulfilled').length;
}
