import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { addServiceEntry } from './add-service-entry.ts';
import { serviceEntry } from './service-templates.ts';

const USER_FILE = `# my shop, run locally
name: shop   # the topology's name

gateway:
  port: 9080        # not the default

services:
  # the orders backend
  orders-srv:
    module: services/orders-srv/main.ts   # TypeScript
    replicas: 2
`;

describe('addServiceEntry', () => {
  it('adds the entry at the end of services and keeps every comment and line of the user', () => {
    const out = addServiceEntry(USER_FILE, 'micro.dev.yaml', 'billing', serviceEntry('go', 'billing', 'services/billing'), 'billing (go)');
    expect(out.startsWith(USER_FILE)).toBe(true);
    expect(out.slice(USER_FILE.length)).toBe(
      [
        '',
        '  # billing (go)',
        '  billing:',
        '    runtime: process',
        '    cwd: services/billing',
        '    command: sh -c "go build -o bin/billing . && exec ./bin/billing"',
        '    readiness: { registered: { timeout: 2m } }',
        '    watch: { build: go build -o bin/billing ., ignore: [ bin/ ] }',
        '',
      ].join('\n'),
    );
    expect(YAML.parse(out).services.billing).toEqual(serviceEntry('go', 'billing', 'services/billing'));
  });

  it('adds before the next top-level key when services is not last, and after a last comment line', () => {
    const text = 'services:\n  a:\n    module: a.ts  # keep me\n# trailing note\nweb:\n  port: 1\n';
    const out = addServiceEntry(text, 'f.yaml', 'b', { module: 'services/b/main.ts' }, 'b (ts)');
    expect(out).toContain('    module: a.ts  # keep me\n');
    expect(out).toMatch(/ {2}# b \(ts\)\n {2}b:\n {4}module: services\/b\/main\.ts\n[\s\S]*web:\n {2}port: 1\n$/);
    expect(YAML.parse(out)).toEqual({ services: { a: { module: 'a.ts' }, b: { module: 'services/b/main.ts' } }, web: { port: 1 } });
  });

  it('puts the entry right under a bare services: line, keeping the comment under it', () => {
    const out = addServiceEntry('name: x   # mine\nservices:   # none yet\n  # my services go here\n', 'f.yaml', 'a', { module: 'services/a/main.ts' }, 'a (ts)');
    expect(out).toBe('name: x   # mine\nservices:   # none yet\n  # a (ts)\n  a:\n    module: services/a/main.ts\n  # my services go here\n');
  });

  it('creates services when the file has none, or turns an empty flow map into a block', () => {
    for (const text of ['name: x\n', 'name: x\nservices:\n', 'name: x\nservices: {}\n']) {
      const out = addServiceEntry(text, 'f.yaml', 'a', { module: 'services/a/main.ts' }, 'a (ts)');
      expect(YAML.parse(out)).toEqual({ name: 'x', services: { a: { module: 'services/a/main.ts' } } });
      expect(out).toContain('services:\n  # a (ts)\n  a:\n    module: services/a/main.ts\n');
    }
  });

  it('refuses a name already in services, and a file that is not YAML, naming the place', () => {
    expect(() => addServiceEntry(USER_FILE, 'micro.dev.yaml', 'orders-srv', {}, 'x')).toThrow('services.orders-srv is already in micro.dev.yaml');
    expect(() => addServiceEntry('services:\n  a: [1\n', 'f.yaml', 'b', {}, 'x')).toThrow(/^f\.yaml:\d+:\d+: /);
    expect(() => addServiceEntry('services: [a, b]\n', 'f.yaml', 'b', {}, 'x')).toThrow('f.yaml: services is not a map of services');
  });
});
