/**
 * validateUniquePorts: no two listeners (registry, gateway, proxy, web, broker, faults, control) or service
 * replicas (port, port+1, ... for replicas > 1) may share a fixed port; port 0 (any free port) never clashes.
 * The problem points at a port the user wrote and names both users.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { YamlPath } from '../parse-yaml-with-positions.ts';
import type { ValidationInput } from './validator.ts';

interface PortUser {
  port: number;
  who: string;
  /** Where it is written; undefined when the port is a default. */
  at: YamlPath | undefined;
}

const LISTENERS = ['registry', 'gateway', 'proxy', 'web', 'broker', 'faults', 'control'] as const;

export function validateUniquePorts({ topology, raw, parsed }: ValidationInput): ConfigProblem[] {
  const users: PortUser[] = [];
  for (const name of LISTENERS) {
    // A Consul we only talk to (kind consul, not in a container) does not listen on our port.
    if (name === 'registry' && topology.registry.kind === 'consul' && topology.registry.mode !== 'container') continue;
    const written = raw[name]?.port !== undefined;
    users.push({ port: topology[name].port, who: written ? name : `${name} (default port)`, at: written ? [name, 'port'] : undefined });
  }
  for (const s of topology.services) {
    if (s.port === 0) continue;
    for (let r = 0; r < s.replicas; r++) {
      users.push({
        port: s.port + r,
        who: r === 0 ? `services.${s.name}` : `services.${s.name} (replica ${r + 1} takes port ${s.port}+${r})`,
        at: ['services', s.name, 'port'],
      });
    }
  }
  const first = new Map<number, PortUser>();
  const problems: ConfigProblem[] = [];
  for (const u of users) {
    if (u.port === 0) continue;
    const prev = first.get(u.port);
    if (!prev) {
      first.set(u.port, u);
      continue;
    }
    const at = u.at ?? prev.at ?? [];
    problems.push(parsed.problemAt(at, `port ${u.port} is used by both ${prev.who} and ${u.who}`, 'value'));
  }
  return problems;
}
