/**
 * Trace and span ids for the hot path: what the SDK's RandomIdGenerator makes (16 / 8 random bytes as
 * lower-case hex, never all zero, the last byte set to 1 when they are, so the id is valid W3C), taken from
 * a pool of random bytes the OS fills 4 KiB at a time (crypto.randomFillSync) instead of Math.random per
 * 4 bytes into a shared buffer. A gateway request makes 8 ids on the main thread: in process the SDK's
 * generator was an eighth of its span work (`bench/traces/span-cost.ts`), and each Math.random result a
 * heap number to collect.
 *
 *   pool (4 KiB, refilled when used up) ──[at, at + n)──> zero check ──> hex string
 */
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

const POOL_BYTES = 4096;

export class PooledIdGenerator implements IdGenerator {
  readonly #pool = Buffer.allocUnsafe(POOL_BYTES);
  readonly #fill: (pool: Buffer) => void;
  #at = POOL_BYTES;

  /** `fill`: what refills the pool (the OS's randomness; a test can give its own bytes). */
  constructor(fill: (pool: Buffer) => void = (pool) => void randomFillSync(pool)) {
    this.#fill = fill;
  }

  generateTraceId(): string {
    return this.#take(16);
  }

  generateSpanId(): string {
    return this.#take(8);
  }

  #take(bytes: number): string {
    const pool = this.#pool;
    if (this.#at + bytes > POOL_BYTES) {
      this.#fill(pool);
      this.#at = 0;
    }
    const start = this.#at;
    const end = start + bytes;
    this.#at = end;
    let i = start;
    while (i < end && pool[i] === 0) i++;
    if (i === end) pool[end - 1] = 1;
    return pool.toString('hex', start, end);
  }
}
