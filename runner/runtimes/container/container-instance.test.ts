import { describe, expect, it } from 'vitest';
import { exitInfo } from './container-instance.ts';

describe('exitInfo', () => {
  it('maps 128+n to the signal n and keeps plain codes', () => {
    expect(exitInfo(0, true)).toEqual({ code: 0, signal: null, requested: true });
    expect(exitInfo(1, false)).toEqual({ code: 1, signal: null, requested: false });
    expect(exitInfo(137, false)).toEqual({ code: null, signal: 'SIGKILL', requested: false });
    expect(exitInfo(143, true)).toEqual({ code: null, signal: 'SIGTERM', requested: true });
    expect(exitInfo(null, false)).toEqual({ code: null, signal: null, requested: false });
  });
});
