import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../../engine/api.ts';
import { instanceLines } from './instance-lines.ts';

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
});
