import { describe, expect, it } from 'vitest';
import type { InstanceView } from '../../engine/api.ts';
import { detailLine } from './detail-line.ts';

const view: InstanceView = { instance: 'hello-go-1', service: 'hello-go', tier: 'other', runtime: 'process', state: 'ready', ref: '4242', restarts: 0, faults: [] };
const text = (v: InstanceView) => detailLine(v, 120).map((s) => s.text).join('');

describe('detailLine', () => {
  it('says when the instance reloads on save (its service is watched)', () => {
    expect(text({ ...view, watched: true })).toBe('  ↳ hello-go-1 ready  process 4242  reload on save');
    expect(text(view)).toBe('  ↳ hello-go-1 ready  process 4242');
  });

  it('names the registry face, version and weight it registered with, and what it served', () => {
    expect(text({ ...view, face: 'nacos', version: 'v2', weight: 10, served: { requests: 120, errors: 3 } })).toBe(
      '  ↳ hello-go-1 ready  process 4242  via nacos v2 w10  served 120 (3 failed)',
    );
    expect(text({ ...view, face: 'consul', version: '' })).toBe('  ↳ hello-go-1 ready  process 4242  via consul');
  });
});
