/**
 * How often a traceparent value the main thread wrote is still remembered when it is read back N writes
 * later (runner/traces/w3c-propagation.ts): found from memory, or parsed again. A gateway request makes 7
 * writes; its read-backs come at once (the next hop on the same thread) but for one, the value an instance
 * got through its inbound link, which comes back through its proxy link after the instance's work: 100-200
 * writes later at the load the e2e bench offers. Values with random span ids, as in `up`; every read-back
 * at once is checked too (it must always be found). A diagnostic, not a suite of `npm run bench`.
 *
 *   node_modules/.bin/node bench/traces/remembered-reads.ts
 */
import { randomBytes } from 'node:crypto';
import type { SpanContext } from '@opentelemetry/api';
import { parentFromValue, rememberWritten } from '../../runner/traces/w3c-propagation.ts';

const WRITES = 200_000;
const values: string[] = [];
const contexts: SpanContext[] = [];
for (let i = 0; i < WRITES; i++) {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  values.push(`00-${traceId}-${spanId}-01`);
  contexts.push({ traceId, spanId, traceFlags: 1 });
}

/** A remembered read answers with the same shared context every time; the parser makes a new one each time. */
const remembered = (value: string): boolean => {
  const first = parentFromValue(value);
  return first !== undefined && parentFromValue(value) === first;
};

for (const distance of [0, 50, 100, 150, 200, 300]) {
  let found = 0;
  let reads = 0;
  for (let i = 0; i < WRITES; i++) {
    rememberWritten(values[i]!, contexts[i]!);
    if (!remembered(values[i]!)) throw new Error('a value read back at once was not remembered');
    if (distance > 0 && i >= distance && i % 7 === 0) {
      reads++;
      if (remembered(values[i - distance]!)) found++;
    }
  }
  if (distance > 0) console.log(`read ${String(distance).padStart(3)} writes later: ${((found / reads) * 100).toFixed(1)} % found from memory (${reads} reads)`);
}
