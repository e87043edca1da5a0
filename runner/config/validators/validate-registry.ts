/**
 * validateRegistry: registry settings that only make sense together. The embedded registry has a lease
 * model, a time scale and a port; a real Consul (kind: consul) has an address or runs in a container.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { ValidationInput } from './validator.ts';

export function validateRegistry({ topology, raw, parsed }: ValidationInput): ConfigProblem[] {
  const r = raw.registry;
  if (!r) return [];
  const problems: ConfigProblem[] = [];
  const at = (key: string, message: string) => problems.push(parsed.problemAt(['registry', key], message, 'key'));
  const { kind, mode, semantics } = topology.registry;

  if (r.time_scale !== undefined && r.timeScale !== undefined) {
    at('timeScale', 'registry: give time_scale or its alias timeScale, not both');
  }
  if (kind === 'consul') {
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
    if (r.address !== undefined) at('address', 'registry: "address" belongs to kind: consul; the embedded registry listens on host and port');
    if (r.mode !== undefined) at('mode', 'registry: "mode" belongs to kind: consul');
  }
  if (r.eureka !== undefined && semantics !== 'eureka') at('eureka', 'registry: "eureka" settings apply only with semantics: eureka');
  if (r.nacos !== undefined && semantics !== 'nacos') at('nacos', 'registry: "nacos" settings apply only with semantics: nacos');
  return problems;
}
