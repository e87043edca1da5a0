/**
 * waitFor: a service's `readiness` config (the closed union in topology.ts) -> its WaitStrategy.
 * A log pattern is a regular expression source; one that does not compile is matched as plain text.
 */
import type { Clock } from '../../clock/clock.ts';
import type { ReadinessConfig } from '../../config/topology.ts';
import type { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import { Wait } from './wait.ts';
import type { WaitStrategy } from './wait-strategy.ts';
import type { AgentCatalogReader, RegistryLister } from './registered-wait-strategy.ts';

export interface WaitForOptions {
  clock?: Clock;
  /** The registry's ACL token (topology registry.token), for `registered`. */
  registryToken?: string;
  /** How `registered` lists a registry that is not Consul (etcd). */
  registryLister?: RegistryLister;
  /** The embedded registry's agent listings, read in process (no HTTP) by `registered`. */
  registryCatalog?: AgentCatalogReader;
}

/** A fresh strategy per call: a strategy object serves one wait at a time. */
export function waitFor(readiness: ReadinessConfig, options: WaitForOptions = {}): WaitStrategy {
  const strategy = build(readiness, options).withDeadline(readiness.timeoutMs);
  return options.clock ? strategy.withClock(options.clock) : strategy;
}

function build(readiness: ReadinessConfig, options: WaitForOptions): AbstractWaitStrategy {
  switch (readiness.kind) {
    case 'registered':
      return Wait.forRegistered().withToken(options.registryToken).withLister(options.registryLister).withCatalog(options.registryCatalog);
    case 'http':
      return Wait.forHttp(readiness.path, readiness.port).forStatusCode(readiness.status);
    case 'tcp':
      return Wait.forTcp(readiness.port);
    case 'log':
      return Wait.forLogMessage(toPattern(readiness.pattern));
  }
}

function toPattern(source: string): RegExp | string {
  try {
    return new RegExp(source);
  } catch {
    return source;
  }
}
