/**
 * validateRegistry: registry settings that only make sense together. The embedded registry has a lease
 * model, a time scale and a port; a real Consul (kind: consul) has an address or runs in a container; a
 * real etcd (kind: etcd) is 1 or 3 members micro-dev starts, or the endpoints of a cluster it does not start.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { ValidationInput } from './validator.ts';

export function validateRegistry({ topology, raw, parsed }: ValidationInput): ConfigProblem[] {
  const r = raw.registry;
  const problems: ConfigProblem[] = [];
  const { kind, mode, semantics } = topology.registry;
  const FACES = { eureka: 'Eureka', nacos: 'Nacos' } as const;
  const speakers = (face: 'eureka' | 'nacos') => topology.services.filter((s) => s.registry === face);
  const faceRuns = (face: 'eureka' | 'nacos') => r?.[face]?.serve === true || speakers(face).length > 0;
  if (kind === 'consul') {
    for (const face of ['eureka', 'nacos'] as const) {
      for (const s of speakers(face)) {
        problems.push(parsed.problemAt(['services', s.name, 'registry'], `services.${s.name}: registry ${face} needs the embedded registry (its ${FACES[face]} face); registry kind is consul`, 'key'));
      }
    }
  }
  for (const s of topology.services) {
    const speaks = s.registry ?? 'consul';
    if (kind === 'etcd' && speaks !== 'etcd' && s.registry !== undefined) {
      problems.push(parsed.problemAt(['services', s.name, 'registry'], `services.${s.name}: registry ${speaks} cannot reach registry kind etcd (its services speak etcd)`, 'key'));
    }
    if (kind !== 'etcd' && speaks === 'etcd') {
      problems.push(parsed.problemAt(['services', s.name, 'registry'], `services.${s.name}: registry etcd needs registry kind etcd (a real etcd cluster: one micro-dev starts, or yours at registry.address)`, 'key'));
    }
  }
  if (!r) return problems;
  const at = (key: string, message: string) => problems.push(parsed.problemAt(['registry', key], message, 'key'));

  if (r.time_scale !== undefined && r.timeScale !== undefined) {
    at('timeScale', 'registry: give time_scale or its alias timeScale, not both');
  }
  if (r.nodes !== undefined && kind !== 'etcd') at('nodes', 'registry: "nodes" belongs to kind: etcd (members of the etcd cluster)');
  if (kind === 'etcd') {
    if (r.address !== undefined && r.nodes !== undefined) {
      at('nodes', 'registry: "nodes" counts the etcd members micro-dev starts; with "address" the cluster is yours and micro-dev starts none');
    }
    for (const key of ['semantics', 'persist', 'token', 'profile', 'node', 'datacenter', 'port'] as const) {
      // port 0 (a free one) is what scenarios write for every section: that one fits.
      if (r[key] !== undefined && !(key === 'port' && r.port === 0)) at(key, `registry: "${key}" does not apply to kind: etcd (etcd keeps go-micro's leases itself and its members listen on free ports)`);
    }
  }
  if (kind === 'consul') {
    const addresses = topology.registry.address?.split(',') ?? [];
    if (addresses.length > 1) at('address', `registry: kind consul takes one address (host:port of an agent), got ${addresses.length}; several are for kind: etcd`);
    if (r.address === undefined && mode !== 'container') {
      at('kind', 'registry kind consul needs "address" (host:port of your Consul) or mode: container');
    }
    if (r.address !== undefined && mode === 'container') {
      at('address', 'registry: "address" is for an existing Consul; mode: container starts its own');
    }
    if (r.semantics !== undefined && semantics !== 'consul') {
      at('semantics', `registry: semantics ${semantics} needs kind: embedded (a real Consul has consul semantics)`);
    }
    const scale = r.time_scale !== undefined ? 'time_scale' : r.timeScale !== undefined ? 'timeScale' : undefined;
    if (scale && topology.registry.timeScale !== 1) at(scale, `registry: ${scale} needs kind: embedded (a real Consul keeps real time)`);
  } else {
    if (r.address !== undefined && kind === 'embedded') at('address', 'registry: "address" belongs to kind: consul or etcd; the embedded registry listens on host and port');
    if (r.mode !== undefined) at('mode', 'registry: "mode" belongs to kind: consul');
  }
  for (const face of ['eureka', 'nacos'] as const) {
    if (r[face] === undefined || semantics === face || faceRuns(face)) continue;
    at(face, `registry: "${face}" settings apply only with semantics: ${face} or the ${FACES[face]} face (serve: true, or a service with registry: ${face})`);
  }
  if (r.peers !== undefined && r.peers > 1) {
    if (kind !== 'embedded') at('peers', 'registry: peers are embedded Eureka servers; they need kind: embedded');
    else if (semantics !== 'eureka' && !faceRuns('eureka')) at('peers', 'registry: peers replicate the Eureka way; they need semantics: eureka or the Eureka face (eureka: {serve: true}, or a service with registry: eureka)');
    if (r.persist !== undefined) at('persist', 'registry: persist keeps one registry on disk; it cannot be combined with peers');
  }
  if (kind === 'consul') {
    for (const face of ['eureka', 'nacos'] as const) if (r[face]?.serve) at(face, `registry: the ${FACES[face]} face (serve: true) needs kind: embedded`);
  }
  return problems;
}
