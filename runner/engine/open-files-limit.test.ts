import { describe, expect, it } from 'vitest';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { assertOpenFilesFor, filesNeeded, openFilesLimit } from './open-files-limit.ts';

describe('assertOpenFilesFor', () => {
  const services = [
    { name: 'greeter-srv', replicas: 1000 },
    { name: 'greeter-api', replicas: 1 },
  ];

  it('refuses a topology that would run out of open files, naming the number and how to raise it', () => {
    let error: unknown;
    try {
      assertOpenFilesFor(services, 1024);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MicroDevError);
    const e = error as MicroDevError;
    expect(e.code).toBe('START_FAILED');
    expect(e.message).toBe(`1001 instances need about ${filesNeeded(1001)} open files and this process may open 1024 (ulimit -n)`);
    expect(e.hints.join('\n')).toContain(`ulimit -n ${filesNeeded(1001)}`);
    expect(e.hints.join('\n')).toContain('services.greeter-srv.replicas is 1000');
  });

  it('lets it through when the limit is enough, unlimited or unknown', () => {
    expect(() => assertOpenFilesFor(services, filesNeeded(1001))).not.toThrow();
    expect(() => assertOpenFilesFor(services, Infinity)).not.toThrow();
    expect(() => assertOpenFilesFor(services, undefined)).not.toThrow();
    expect(() => assertOpenFilesFor([{ name: 'a', replicas: 2 }], 1024)).not.toThrow();
  });

  it('reads this process limit', () => {
    const limit = openFilesLimit();
    expect(limit === undefined || limit > 0).toBe(true);
    if (process.platform === 'linux') expect(limit).toBeGreaterThan(0);
  });
});
