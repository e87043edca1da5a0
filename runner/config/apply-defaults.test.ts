import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply-defaults.ts';
import { ConfigSchema } from './config-schema.ts';
import type { Topology } from './topology.ts';

const FILE = '/project/micro.dev.yaml';
const shaped = (raw: unknown) => ConfigSchema.parse(raw);

describe('applyDefaults', () => {
  it('fills every Topology field from a minimal config', () => {
    const topology = applyDefaults(shaped({ services: { 'greeter-srv': { module: 'srv/main.ts' } } }), FILE);
    const want: Topology = {
      file: FILE,
      name: 'project',
      registry: {
        kind: 'embedded',
        nodes: 1,
        mode: 'process',
        host: '127.0.0.1',
        port: 8500,
        semantics: 'consul',
        timeScale: 1,
        profile: 'modern',
        eureka: { doubleExpiryQuirk: true, selfPreservation: true, serve: false, port: 8761 },
        nacos: { protectThreshold: 0, serve: false, port: 8848, adminApi: true },
      },
      gateway: {
        host: '127.0.0.1',
        port: 8080,
        namespace: 'go.micro.api',
        handler: 'meta',
        resolver: 'micro',
        enableRpc: true,
        cors: true,
        balance: 'random',
        timeoutMs: 5000,
        retries: 1,
        unknownServiceStatus: 404,
        ejectMs: 10_000,
        bodyLimitBytes: 10 * 1024 * 1024,
        hosts: [],
        versions: {},
      },
      proxy: { host: '127.0.0.1', port: 8081, versions: {} },
      web: { host: '127.0.0.1', port: 8082, namespace: 'go.micro.web' },
      broker: { host: '127.0.0.1', port: 0 },
      faults: { host: '127.0.0.1', port: 8474 },
      control: { host: '127.0.0.1', port: 0 },
      telemetry: { traces: true, slowMs: 1000 },
      services: [
        {
          name: 'greeter-srv',
          tier: 'srv',
          runtime: 'worker',
          module: '/project/srv/main.ts',
          cwd: '/project',
          env: {},
          replicas: 1,
          port: 0,
          dependsOn: [],
          readiness: { kind: 'registered', timeoutMs: 10_000 },
          restart: { policy: 'on-failure', maxRestarts: 5, backoffMs: 200, backoffMaxMs: 5000 },
          stopTimeoutMs: 5000,
          // Reload by default: the module is in the project.
          watch: { byDefault: true, paths: ['/project/srv'], ignore: ['.micro-dev/', 'node_modules', '.git'], debounceMs: 300, cascade: false },
        },
      ],
    };
    expect(topology).toEqual(want);
  });

  it.each([
    { what: 'a module in the project', svc: { module: 'services/a/main.ts' }, paths: ['/project/services/a'] },
    { what: 'a module outside the project', svc: { module: '/elsewhere/a/main.ts' }, paths: undefined },
    { what: 'a module under node_modules', svc: { module: 'node_modules/pkg/main.ts' }, paths: undefined },
    { what: 'a process with a cwd of its own', svc: { runtime: 'process', command: 'go run .', cwd: 'services/b' }, paths: ['/project/services/b'] },
    { what: 'a process run from the project root', svc: { runtime: 'process', command: 'python3 b.py' }, paths: undefined },
    { what: 'a container with an image', svc: { runtime: 'container', container: { image: 'x' } }, paths: undefined },
    { what: 'watch: false', svc: { module: 'services/a/main.ts', watch: false }, paths: undefined },
  ])('reload by default: $what', ({ svc, paths }) => {
    const watch = applyDefaults(shaped({ services: { s: svc } }), FILE).services[0]!.watch;
    expect(watch?.paths).toEqual(paths);
    if (watch) expect(watch.byDefault).toBe(true);
  });

  it('an explicit watch is not marked as a default', () => {
    const watch = applyDefaults(shaped({ services: { s: { module: 'a/m.ts', watch: { build: 'make' } } } }), FILE).services[0]!.watch;
    expect(watch).toMatchObject({ paths: ['/project/a'], build: 'make' });
    expect(watch?.byDefault).toBeUndefined();
  });

  it.each([
    { name: 'greeter-srv', tier: 'srv' },
    { name: 'greeter-api', tier: 'api' },
    { name: 'greeter-web', tier: 'web' },
    { name: 'worker', tier: 'other' },
    { name: 'srv-greeter', tier: 'other' },
    { name: 'greeter-websocket', tier: 'other' },
  ])('infers tier $tier from $name', ({ name, tier }) => {
    expect(applyDefaults(shaped({ services: { [name]: { module: 'm.ts' } } }), FILE).services[0]!.tier).toBe(tier);
  });

  it.each([
    { readiness: 'tcp', want: { kind: 'tcp', timeoutMs: 10_000 } },
    { readiness: 'http', want: { kind: 'http', path: '/', status: 200, timeoutMs: 10_000 } },
    { readiness: { registered: null }, want: { kind: 'registered', timeoutMs: 10_000 } },
    { readiness: { registered: { timeout: '2s' } }, want: { kind: 'registered', timeoutMs: 2000 } },
    { readiness: { http: { path: '/health', port: 9000, status: 204, timeout: 500 } }, want: { kind: 'http', path: '/health', port: 9000, status: 204, timeoutMs: 500 } },
    { readiness: { tcp: { port: 9001 } }, want: { kind: 'tcp', port: 9001, timeoutMs: 10_000 } },
    { readiness: { log: { pattern: 'ready', timeout: '1m' } }, want: { kind: 'log', pattern: 'ready', timeoutMs: 60_000 } },
  ])('readiness $readiness', ({ readiness, want }) => {
    expect(applyDefaults(shaped({ services: { s: { module: 'm.ts', readiness } } }), FILE).services[0]!.readiness).toEqual(want);
  });

  it.each([
    { restart: 'always', want: { policy: 'always', maxRestarts: 5, backoffMs: 200, backoffMaxMs: 5000 } },
    { restart: { max_restarts: 0 }, want: { policy: 'on-failure', maxRestarts: 0, backoffMs: 200, backoffMaxMs: 5000 } },
    { restart: { policy: 'no', backoff: '1s', backoff_max: '1m' }, want: { policy: 'no', maxRestarts: 5, backoffMs: 1000, backoffMaxMs: 60_000 } },
  ])('restart $restart', ({ restart, want }) => {
    expect(applyDefaults(shaped({ services: { s: { module: 'm.ts', restart } } }), FILE).services[0]!.restart).toEqual(want);
  });

  it.each([
    { command: 'node server.js --port 1', want: ['node', 'server.js', '--port', '1'] },
    { command: './bin/server -v', want: ['/project/bin/server', '-v'] },
    { command: ['../up/run', 'a b'], want: ['/up/run', 'a b'] },
  ])('command $command', ({ command, want }) => {
    expect(applyDefaults(shaped({ services: { s: { runtime: 'process', command } } }), FILE).services[0]!.command).toEqual(want);
  });

  it('watch: true watches the module folder; ignore always has the basics', () => {
    const [a, b] = applyDefaults(
      shaped({
        services: {
          a: { module: 'svc/a/main.ts', watch: true },
          b: { runtime: 'process', command: 'x', cwd: 'b', watch: { ignore: ['dist', '.git'], debounce: '1s', build: 'make', cascade: true } },
        },
      }),
      FILE,
    ).services;
    expect(a!.watch).toEqual({ paths: ['/project/svc/a'], ignore: ['.micro-dev/', 'node_modules', '.git'], debounceMs: 300, cascade: false });
    expect(b!.watch).toEqual({ paths: ['/project/b'], ignore: ['.micro-dev/', 'node_modules', '.git', 'dist'], debounceMs: 1000, build: 'make', cascade: true });
  });

  it('env values become strings; container paths resolve against the config folder', () => {
    const [s] = applyDefaults(
      shaped({ services: { s: { runtime: 'container', env: { N: 1, B: false, S: 'x' }, container: { dockerfile: 'd/Dockerfile' } } } }),
      FILE,
    ).services;
    expect(s!.env).toEqual({ N: '1', B: 'false', S: 'x' });
    expect(s!.container).toEqual({ dockerfile: '/project/d/Dockerfile', context: '/project', reach: 'published' });
  });

  it('timeScale is an alias of time_scale; gateway units convert', () => {
    const t = applyDefaults(shaped({ registry: { timeScale: 0.01 }, gateway: { timeout: '1m30s', eject: 250, body_limit: '512KiB', tls: 'auto' } }), FILE);
    expect(t.registry.timeScale).toBe(0.01);
    expect(t.gateway).toMatchObject({ timeoutMs: 90_000, ejectMs: 250, bodyLimitBytes: 512 * 1024, tls: { auto: true } });
  });
});
