/**
 * waitFor: a service's `readiness` config (the closed union in topology.ts) -> its WaitStrategy.
 * A log pattern is a regular expression source; one that does not compile is matched as plain text.
 */
import type { Clock } from '../../clock/clock.ts';
import type { ReadinessConfig } from '../../config/topology.ts';
import type { AbstractWaitStrategy } from './abstract-wait-strategy.ts';
import { Wait } from './wait.ts';
import type { WaitStrategy } from './wait-strategy.ts';

export function waitFor(readiness: ReadinessConfig, options: { clock?: Clock } = {}): WaitStrategy {
  const strategy = build(readiness).withDeadline(readiness.timeoutMs);
  return options.clock ? strategy.withClock(options.clock) : strategy;
}

function build(readiness: ReadinessConfig): AbstractWaitStrategy {
  switch (readiness.kind) {
    case 'registered':
      return Wait.forRegistered();
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
