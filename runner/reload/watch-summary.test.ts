import { describe, expect, it } from 'vitest';
import { watchSummary } from './watch-summary.ts';

const watch = { paths: ['/p/a'], ignore: [], debounceMs: 300, cascade: false };

describe('watchSummary', () => {
  it('names the watched services (and which build first) and the others', () => {
    const services = [
      { name: 'greeter-srv', watch: { ...watch, byDefault: true } },
      { name: 'hello-go', watch: { ...watch, build: 'go build -o bin/x .' } },
      { name: 'db', watch: undefined },
    ];
    expect(watchSummary({ services } as never)).toBe('reload on save: greeter-srv, hello-go (build first); not watched: db');
  });

  it('says when nothing is watched, and when --no-watch turned it off', () => {
    expect(watchSummary({ services: [{ name: 'db' }] } as never)).toMatch(/^reload on save: no service is watched/);
    expect(watchSummary({ services: [{ name: 'a', watch }] } as never, { noWatch: true })).toBe('reload on save: off (up --no-watch)');
  });
});
