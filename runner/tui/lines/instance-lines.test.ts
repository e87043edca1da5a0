import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../../engine/api.ts';
import { instanceLines, instanceRowCount, SUMMARY_FROM } from './instance-lines.ts';

const srv = (instance: string, over: Partial<InstanceView> = {}): InstanceView => ({ instance, service: instance.replace(/-\d+$/, ''), tier: 'srv', runtime: 'worker', state: 'ready', restarts: 0, faults: [], ...over });
const text = (views: InstanceView[]) => instanceLines(views, { width: 120, maxLines: 20 }).map((l) => l.map((s) => s.text).join('').trimEnd());

describe('instanceLines', () => {
  it('shows a REGISTRATION column (face, version, weight) when the topology mixes faces or versions', () => {
    const lines = text([
      srv('greeter-srv-1', { face: 'consul', version: 'v1', weight: 50 }),
      srv('greeter-srv-v2-1', { face: 'nacos', version: 'v2', weight: 12.5 }),
      srv('legacy-srv-1', { face: 'eureka', version: '' }),
    ]);
    expect(lines[1]).toMatch(/^ {2}INSTANCE +STATE +FAULTS +REGISTRATION +ADDRESS/);
    expect(lines.find((l) => l.includes('greeter-srv-v2-1'))).toMatch(/greeter-srv-v2-1 +ready +nacos v2 w12\.5 /);
    expect(lines.find((l) => l.includes('greeter-srv-1 '))).toMatch(/consul v1 w50/);
    expect(lines.find((l) => l.includes('legacy-srv-1'))).toMatch(/ready +eureka +-/);
  });

  it('keeps the plain layout for a Consul-only topology with no versions or weights', () => {
    const lines = text([srv('greeter-srv-1', { face: 'consul', version: 'latest' }), srv('greeter-srv-2', { face: 'consul', version: 'latest' })]);
    expect(lines[1]).not.toContain('REGISTRATION');
    expect(lines[1]).toMatch(/^ {2}INSTANCE +STATE +FAULTS +ADDRESS/);
  });

  it('sums up a service of many instances in one line and lists only those worth a look (and the selection)', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      srv(`greeter-srv-${i + 1}`, {
        traffic: { requests: 10, errors: i === 4 ? 10 : 0, rps: 1, errorRate: 0, p50: 1, p99: 2, windowMs: 10_000 },
        ...(i === 4 ? { state: 'crashed' as const, restarts: 2 } : {}),
        ...(i === 9 ? { faults: ['latency'] } : {}),
      }),
    );
    const api = { ...srv('greeter-api-1'), service: 'greeter-api', tier: 'api' as const };
    const lines = instanceLines([api, ...many], { width: 140, maxLines: 40, selected: 'greeter-srv-500' }).map((l) => l.map((s) => s.text).join('').trimEnd());
    expect(lines[0]).toContain('1000/1001 ready');
    const summary = lines.find((l) => l.includes('greeter-srv x1000'));
    expect(summary).toMatch(/greeter-srv x1000 +999 ready, 1 crashed +req\/s 1000 +err 0\.1% +restarts 2 +1 with faults/);
    const srvLines = lines.filter((l) => /greeter-srv-\d+ /.test(l));
    expect(srvLines.map((l) => /greeter-srv-\d+/.exec(l)![0])).toEqual(['greeter-srv-5', 'greeter-srv-10', 'greeter-srv-500']);
    expect(lines.find((l) => l.includes('greeter-srv-500'))).toMatch(/^> greeter-srv-500 +ready/);
    // Under the threshold every instance keeps its line.
    const few = Array.from({ length: SUMMARY_FROM - 1 }, (_, i) => srv(`greeter-srv-${i + 1}`));
    const fewLines = instanceLines(few, { width: 140, maxLines: 100 }).map((l) => l.map((s) => s.text).join(''));
    expect(fewLines.filter((l) => /greeter-srv-\d+ /.test(l))).toHaveLength(SUMMARY_FROM - 1);
    expect(fewLines.some((l) => l.includes(' x49'))).toBe(false);
    expect(instanceRowCount([api, ...many])).toBe(1 + 2 + 2);
    expect(instanceRowCount(few)).toBe(SUMMARY_FROM - 1);
  });

  it('with a filter lists only the matching instances, each on a line, under a summary of the matches', () => {
    const many = Array.from({ length: 1000 }, (_, i) => srv(`greeter-srv-${i + 1}`, [41, 416, 999].includes(i) ? { state: 'crashed', restarts: 1 } : {}));
    const api = { ...srv('greeter-api-1'), service: 'greeter-api', tier: 'api' as const };
    const lines = (filter: string) => instanceLines([api, ...many], { width: 140, maxLines: 60, filter }).map((l) => l.map((s) => s.text).join('').trimEnd());
    const crashed = lines('crashed');
    expect(crashed[0]).toContain('filter "crashed": 3 match');
    expect(crashed.find((l) => l.includes(' x3'))).toMatch(/greeter-srv x3 of 1000 +3 crashed +req\/s 0\.0 +err - +restarts 3/);
    expect(crashed.filter((l) => /greeter-(srv|api)-\d+ /.test(l)).map((l) => /greeter-\w+-\d+/.exec(l)![0])).toEqual(['greeter-srv-42', 'greeter-srv-417', 'greeter-srv-1000']);
    // words in any order, each matching name, service, tier or state
    expect(lines('ready srv-99').filter((l) => /greeter-srv-\d+ /.test(l))).toHaveLength(11);
    expect(lines('api')[0]).toContain('1 match');
    // a filter no instance matches is a log filter: the list stays whole
    const none = lines('timeout');
    expect(none[0]).toContain('filter "timeout": no instance matches (logs only)');
    expect(none.some((l) => l.includes('greeter-srv x1000'))).toBe(true);
    expect(instanceRowCount([api, ...many], 'crashed')).toBe(1 + 3);
    expect(instanceRowCount([api, ...many], 'timeout')).toBe(instanceRowCount([api, ...many]));
  });
});
