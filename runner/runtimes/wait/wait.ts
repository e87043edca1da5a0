/**
 * Wait: the factory for readiness strategies, in the testcontainers style.
 *
 *   Wait.forRegistered().withDeadline(10_000)
 *   Wait.forHttp('/health', 8080).forStatusCode(200)
 *   Wait.forAll([Wait.forRegistered(), Wait.forLogMessage(/listening/)]).withDeadline(30_000)
 *
 * Every strategy defaults to a 60 s deadline and the system clock (withClock() to inject one).
 */
import { AllWaitStrategy } from './all-wait-strategy.ts';
import { HttpWaitStrategy } from './http-wait-strategy.ts';
import { LogWaitStrategy } from './log-wait-strategy.ts';
import { RegisteredWaitStrategy } from './registered-wait-strategy.ts';
import { TcpWaitStrategy } from './tcp-wait-strategy.ts';
import type { WaitStrategy } from './wait-strategy.ts';

export const Wait = {
  forRegistered: (): RegisteredWaitStrategy => new RegisteredWaitStrategy(),
  forHttp: (path: string, port?: number): HttpWaitStrategy => new HttpWaitStrategy(path, port),
  forTcp: (port?: number): TcpWaitStrategy => new TcpWaitStrategy(port),
  forLogMessage: (pattern: RegExp | string, times = 1): LogWaitStrategy => new LogWaitStrategy(pattern, times),
  forAll: (strategies: WaitStrategy[]): AllWaitStrategy => new AllWaitStrategy(strategies),
};
