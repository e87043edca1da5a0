/**
 * The drills `micro-dev compare` runs against every registry: ordinary scenario files (the same format as
 * scenarios/*.yaml, checked and run by runner/scenarios), one per question the comparison answers, written
 * for a registry's `topology.registry`. They carry no expectations: compare measures, it does not judge.
 *
 *   dead-instance        one srv replica killed for good (restart: no): time until the registry stops
 *                        listing it as passing, calls that failed meanwhile
 *   registry-outage      the registry unreachable for everyone for 1 s: availability from cached nodes
 *   registry-partition   the registry split 2|1 (members only): availability, a registration during the
 *                        split (a killed replica comes back and registers anew: allowed / refused), time
 *                        until every member agrees after the heal
 *   heartbeat-loss       75 % of the instances stop heartbeating for 5 s (longer than every registry's lease
 *                        at its time scale: etcd's 60 s TTL is 3 s): dropped (evict) or kept (protect)
 */
import type { KindSetup } from './registry-kinds.ts';

export const DRILLS = ['dead-instance', 'registry-outage', 'registry-partition', 'heartbeat-loss'] as const;
export type DrillName = (typeof DRILLS)[number];

const RPC_LOAD = '  - {name: rpc, method: POST, path: /rpc, body: {service: go.micro.srv.greeter, endpoint: Say.Hello, request: {name: John}}, rate: 100}';

/** The scenario text of a drill for a registry, or why the drill does not apply to it. */
export function drillText(drill: DrillName, setup: KindSetup): { text: string } | { skip: string } {
  const registry = (r: Record<string, unknown>) => `{${Object.entries(r).map(([k, v]) => `${k}: ${String(v)}`).join(', ')}}`;
  const head = (r: Record<string, unknown>, services: string) =>
    [`description: compare ${drill} on ${setup.kind}`, 'seed: 15', 'topology:', `  registry: ${registry(r)}`, `  services: ${services}`, 'load:', RPC_LOAD];
  switch (drill) {
    case 'dead-instance':
      return {
        text: [
          ...head(setup.registry, '{greeter-srv: {replicas: 3, restart: no}}'),
          'steps:',
          '  - {id: dead, at: 1s, fault: kill, target: {service: greeter-srv, count: 1}, duration: 4s}',
          'settle: 300ms',
          'rollbacks: [{action: heal}, {action: start-all}]',
        ].join('\n'),
      };
    case 'registry-outage':
      return {
        text: [...head(setup.registry, '{greeter-srv: {replicas: 2}}'), 'steps:', '  - {id: outage, at: 1s, fault: registry-outage, duration: 1s}', 'settle: 3s'].join('\n'),
      };
    case 'registry-partition': {
      const m = setup.members;
      if (!m) return { skip: 'one registry node: nothing to split' };
      return {
        text: [
          ...head(m.registry, '{greeter-srv: {replicas: 3}}'),
          'steps:',
          `  - {id: split, at: 1s, fault: registry-partition, isolate: ${m.isolate}, duration: 4s}`,
          // Killed, it comes back (restart policy) and registers anew during the split (on the isolated side
          // for Eureka peers: replica 3 talks to eureka-3); a refused registration makes no step fail.
          `  - {id: register, at: 1300ms, fault: kill, target: {instance: greeter-srv-${m.minorityReplica}}, duration: 500ms}`,
          'settle: 5s',
          // Watched for 5 s after the settle: long enough for the members to agree again (or not).
          'steady_state: {window: 5s}',
        ].join('\n'),
      };
    }
    case 'heartbeat-loss':
      return {
        text: [...head(setup.registry, '{greeter-srv: {replicas: 2}}'), 'steps:', '  - {id: silence, at: 1s, fault: heartbeat-loss, target: {percent: 75}, duration: 5s}', 'settle: 5s'].join('\n'),
      };
  }
}
