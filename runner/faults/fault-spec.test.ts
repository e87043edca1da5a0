import { describe, expect, it } from 'vitest';
import { FaultSpecSchema, isNetworkFault } from './fault-spec.ts';
import { faultToxics } from './fault-toxics.ts';

describe('FaultSpecSchema', () => {
  it.each([
    [
      'latency with string durations',
      { kind: 'latency', target: { service: 'greeter-srv', percent: 50 }, latency: '200ms', jitter: 20, duration: '5s' },
      { kind: 'latency', target: { service: 'greeter-srv', percent: 50 }, latency: 200, jitter: 20, duration: 5000, link: 'proxy' },
    ],
    ['partition with defaults', { kind: 'partition' }, { kind: 'partition', target: {}, link: 'proxy' }],
    [
      'heartbeat loss on a tier',
      { kind: 'heartbeat-loss', target: { tier: 'srv', count: 1 }, duration: '1m30s' },
      { kind: 'heartbeat-loss', target: { tier: 'srv', count: 1 }, duration: 90_000 },
    ],
    ['kill defaults to SIGKILL', { kind: 'kill', target: { instance: 'x-1' } }, { kind: 'kill', target: { instance: 'x-1' }, signal: 'SIGKILL' }],
    ['crash-loop interval', { kind: 'crash-loop', interval: '2s' }, { kind: 'crash-loop', target: {}, interval: 2000 }],
  ])('accepts %s', (_name, input, output) => {
    expect(FaultSpecSchema.parse(input)).toEqual(output);
  });

  it.each([
    ['an unknown kind', { kind: 'meteor' }, /kind/],
    ['toxicity above 1', { kind: 'latency', latency: 1, toxicity: 1.5 }, /toxicity/],
    ['percent 0', { kind: 'pause', target: { percent: 0 } }, /percent/],
    ['percent and count together', { kind: 'pause', target: { percent: 10, count: 1 } }, /percent or count/],
    ['a misspelt field', { kind: 'latency', latency: 1, jiter: 2 }, /jiter/],
    ['a bad duration', { kind: 'pause', duration: '5 parsecs' }, /duration/],
  ])('rejects %s', (_name, input, message) => {
    const result = FaultSpecSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});

describe('faultToxics', () => {
  it('maps a partition to a down toxic on both streams, carrying duration and toxicity', () => {
    const spec = FaultSpecSchema.parse({ kind: 'partition', duration: '2s', toxicity: 0.5 });
    if (!isNetworkFault(spec)) throw new Error('expected a network fault');
    expect(faultToxics(spec, 'f1')).toEqual([
      { type: 'down', name: 'f1:partition:upstream', stream: 'upstream', toxicity: 0.5, durationMs: 2000 },
      { type: 'down', name: 'f1:partition:downstream', stream: 'downstream', toxicity: 0.5, durationMs: 2000 },
    ]);
  });

  it('maps slicer fields to Toxiproxy attribute names on the downstream by default', () => {
    const spec = FaultSpecSchema.parse({ kind: 'slicer', averageSize: 64, delayUs: 500 });
    if (!isNetworkFault(spec)) throw new Error('expected a network fault');
    expect(faultToxics(spec, 'f2')).toEqual([
      {
        type: 'slicer',
        attributes: { average_size: 64, size_variation: 0, delay: 500 },
        name: 'f2:slicer:downstream',
        stream: 'downstream',
        toxicity: 1,
      },
    ]);
  });

  it('says which kinds are process or registry faults', () => {
    expect(isNetworkFault(FaultSpecSchema.parse({ kind: 'kill' }))).toBe(false);
    expect(isNetworkFault(FaultSpecSchema.parse({ kind: 'registry-outage' }))).toBe(false);
  });
});
