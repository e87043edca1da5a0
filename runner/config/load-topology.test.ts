import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isMicroDevError } from '../errors/micro-dev-error.ts';
import { checkTopologyText } from './check-topology-text.ts';
import { formatProblem, loadTopology, validateTopologyFile } from './load-topology.ts';
import type { Topology } from './topology.ts';

const root = mkdtempSync(path.join(tmpdir(), 'micro-dev-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh folder holding micro.dev.yaml (`yaml`) and the given module files. */
function project(yaml: string, files: string[] = []): { dir: string; file: string } {
  const dir = path.join(root, `p${++n}`);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), 'export {};\n');
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'micro.dev.yaml'), yaml);
  return { dir, file: path.join(dir, 'micro.dev.yaml') };
}

/** The problems of a project, formatted relative to its folder: `micro.dev.yaml:LINE:COL: message`. */
async function problemsOf(yaml: string, files: string[] = []): Promise<string[]> {
  const { dir, file } = project(yaml, files);
  return (await validateTopologyFile(file)).map((p) => formatProblem(p, dir));
}

const GREETER = ['srv/main.ts', 'api/main.ts'];
const greeter = (extra = '') =>
  `name: demo\nservices:\n  greeter-srv:\n    module: srv/main.ts\n  greeter-api:\n    module: api/main.ts\n    depends_on: [greeter-srv]\n${extra}`;

describe('validateTopologyFile: FILE:LINE:COL: message', () => {
  it.each([
    { name: 'valid', yaml: greeter(), want: [] },
    {
      name: 'YAML syntax error',
      yaml: 'name: demo\nservices:\n  greeter-srv:\n    module: srv/main.ts\n   replicas: 2\n',
      want: ['micro.dev.yaml:5:4: YAML syntax error: All mapping items must start at the same column'],
    },
    {
      name: 'unknown key with suggestion',
      yaml: greeter('    dependson: [greeter-srv]\n'),
      want: ['micro.dev.yaml:8:5: unknown key "dependson" in services.greeter-api (did you mean "depends_on"?)'],
    },
    {
      name: 'wrong type',
      yaml: greeter('    replicas: two\n'),
      want: ['micro.dev.yaml:8:15: services.greeter-api.replicas: expected a number, got string "two"'],
    },
    {
      name: 'unknown runtime with suggestion',
      yaml: greeter('    runtime: wroker\n'),
      want: ['micro.dev.yaml:8:14: unknown runtime "wroker" in services.greeter-api (did you mean "worker"?)'],
    },
    {
      name: 'dependency cycle',
      yaml: 'services:\n  a:\n    module: srv/main.ts\n    depends_on: [b]\n  b:\n    module: api/main.ts\n    depends_on: [a]\n',
      want: ['micro.dev.yaml:4:18: dependency cycle: a -> b -> a'],
    },
    {
      name: 'duplicate port',
      yaml: greeter('    port: 8081\n'),
      want: ['micro.dev.yaml:8:11: port 8081 is used by both proxy (default port) and services.greeter-api'],
    },
    {
      name: 'missing module',
      yaml: greeter().replace('api/main.ts', 'api/mian.ts'),
      want: ['micro.dev.yaml:6:13: services.greeter-api: module api/mian.ts not found (looked for <dir>/api/mian.ts)'],
    },
    {
      name: 'empty file',
      yaml: '# nothing yet\n',
      want: ['micro.dev.yaml:1:1: the config file is empty: it needs at least a services: mapping'],
    },
  ])('$name', async ({ yaml, want }) => {
    const got = await problemsOf(yaml, GREETER);
    expect(got).toEqual(want.map((w) => w.replace('<dir>', path.join(root, `p${n}`))));
  });

  it('collects every validator problem, sorted by position', async () => {
    const yaml = [
      'gateway: {port: 9000}', // 1
      'services:', //             2
      '  a:', //                  3
      '    module: gone.ts', //   4
      '    port: 9000', //        5
      '    depends_on: [b, zz]', // 6
      '  b:', //                  7
      '    runtime: process', //  8
      '    depends_on: [a]', //   9
      '',
    ].join('\n');
    expect(await problemsOf(yaml)).toEqual([
      `micro.dev.yaml:4:13: services.a: module gone.ts not found (looked for ${root}/p${n}/gone.ts)`,
      'micro.dev.yaml:5:11: port 9000 is used by both gateway and services.a',
      'micro.dev.yaml:6:18: dependency cycle: a -> b -> a',
      'micro.dev.yaml:6:21: services.a depends on unknown service "zz" (services: a, b)',
      'micro.dev.yaml:7:3: services.b: runtime process needs "command" (a command line or a list of arguments)',
    ]);
  });
});

describe('registry node and datacenter', () => {
  it('takes registry.node and registry.datacenter, and names a datacenter Consul would refuse', async () => {
    const { file } = project('registry: {node: box-1, datacenter: lab-2}\nservices: {}\n');
    const topology = await loadTopology(file);
    expect([topology.registry.node, topology.registry.datacenter]).toEqual(['box-1', 'lab-2']);
    expect(await problemsOf('registry:\n  datacenter: Lab\nservices: {}\n')).toEqual([
      'micro.dev.yaml:2:15: registry.datacenter: a datacenter may only contain lowercase letters, digits, - and _ (as Consul requires)',
    ]);
  });
});

describe('telemetry', () => {
  it('names a bad telemetry key or value with FILE:LINE:COL', async () => {
    expect(await problemsOf('telemetry:\n  otlp_endpoint: ftp://collector:4318\nservices: {}\n')).toEqual([
      'micro.dev.yaml:2:18: telemetry.otlp_endpoint: must be an http(s) URL such as http://127.0.0.1:4318',
    ]);
    expect(await problemsOf('telemetry:\n  trace: false\nservices: {}\n')).toEqual([
      'micro.dev.yaml:2:3: unknown key "trace" in telemetry (did you mean "traces"?)',
    ]);
    expect(await problemsOf('telemetry: {slow: soon}\nservices: {}\n')).toHaveLength(1);
  });
});

describe('loadTopology', () => {
  it('throws CONFIG_INVALID with one FILE:LINE:COL line per problem', async () => {
    const { file } = project('services:\n  a:\n    modul: a.ts\n    replicas: 0\n');
    const error = await loadTopology(file).catch((e: unknown) => e);
    expect(isMicroDevError(error) && error.code).toBe('CONFIG_INVALID');
    expect((error as Error).message).toBe(
      [
        `${file}:3:5: unknown key "modul" in services.a (did you mean "module"?)`,
        `${file}:4:15: services.a.replicas: must be >= 1, got number 0`,
      ].join('\n'),
    );
  });

  it('throws CONFIG_NOT_FOUND naming the file and what to do', async () => {
    const error = await loadTopology('./no-such-dir/x.yaml').catch((e: unknown) => e);
    expect(isMicroDevError(error) && error.code).toBe('CONFIG_NOT_FOUND');
    expect((error as Error).message).toBe(
      'config file ./no-such-dir/x.yaml not found; pass another with -c FILE, or run in the folder that holds micro.dev.yaml',
    );
  });

  it('round-trips a full config with every key written', async () => {
    const yaml = `
name: full
registry: {kind: embedded, host: 127.0.0.1, port: 18500, semantics: eureka, time_scale: 0.01, profile: legacy, token: t0k, persist: .micro-dev/reg.json,
  eureka: {double_expiry_quirk: false, self_preservation: false}}
gateway: {host: 127.0.0.1, port: 18080, namespace: go.micro.api, handler: api, resolver: path, enable_rpc: false, cors: false,
  balance: round_robin, timeout: 2s, retries: 0, unknown_service_status: 500, eject: 1m, body_limit: 1MiB, hosts: [example.test], tls: {cert: c.pem, key: k.pem},
  versions: {go.micro.srv.greeter: v1}}
proxy: {host: 127.0.0.1, port: 18081, versions: {go.micro.srv.greeter: v2}}
web: {host: 127.0.0.1, port: 18082, namespace: go.micro.web}
broker: {host: 127.0.0.1, port: 18083}
faults: {host: 127.0.0.1, port: 18474}
control: {host: 127.0.0.1, port: 18999}
telemetry: {traces: false, otlp_endpoint: "http://127.0.0.1:4318", slow: 2s}
services:
  greeter-srv:
    runtime: worker
    module: srv/main.ts
    cwd: srv
    env: {GREETING: Hello, DEBUG: true}
    replicas: 3
    port: 19000
    readiness: {http: {path: /health, port: 19100, status: 204, timeout: 3s}}
    restart: {policy: always, max_restarts: 2, backoff: 100ms, backoff_max: 1s}
    stop_timeout: 2s
    tier: srv
    watch: {paths: [srv], ignore: [dist], debounce: 100ms, build: npm run build, cascade: true}
  legacy:
    runtime: process
    command: [./bin/legacy, --flag]
    depends_on: [greeter-srv]
    readiness: {log: {pattern: "^ready$", timeout: 1s}}
    restart: "no"
  box-web:
    runtime: container
    container: {image: "nginx:1.27", reach: network}
    depends_on: [legacy]
    readiness: {tcp: {port: 80}}
`;
    const { dir, file } = project(yaml, ['srv/main.ts', 'c.pem', 'k.pem']);
    const t = await loadTopology(file);
    const want: Topology = {
      file,
      name: 'full',
      registry: {
        kind: 'embedded', nodes: 1, mode: 'process', host: '127.0.0.1', port: 18500, semantics: 'eureka', timeScale: 0.01, profile: 'legacy',
        token: 't0k', persist: path.join(dir, '.micro-dev/reg.json'), eureka: { doubleExpiryQuirk: false, selfPreservation: false, serve: false, port: 8761 },
        nacos: { protectThreshold: 0, serve: false, port: 8848, adminApi: true },
      },
      gateway: {
        host: '127.0.0.1', port: 18080, namespace: 'go.micro.api', handler: 'api', resolver: 'path', enableRpc: false, cors: false,
        balance: 'round_robin', timeoutMs: 2000, retries: 0, unknownServiceStatus: 500, ejectMs: 60_000, bodyLimitBytes: 1024 * 1024, hosts: ['example.test'],
        tls: { cert: path.join(dir, 'c.pem'), key: path.join(dir, 'k.pem') },
        versions: { 'go.micro.srv.greeter': 'v1' },
      },
      proxy: { host: '127.0.0.1', port: 18081, versions: { 'go.micro.srv.greeter': 'v2' } },
      web: { host: '127.0.0.1', port: 18082, namespace: 'go.micro.web' },
      broker: { host: '127.0.0.1', port: 18083 },
      faults: { host: '127.0.0.1', port: 18474 },
      control: { host: '127.0.0.1', port: 18999 },
      telemetry: { traces: false, otlpEndpoint: 'http://127.0.0.1:4318', slowMs: 2000 },
      services: [
        {
          name: 'greeter-srv', tier: 'srv', runtime: 'worker', module: path.join(dir, 'srv/main.ts'), cwd: path.join(dir, 'srv'),
          env: { GREETING: 'Hello', DEBUG: 'true' }, replicas: 3, port: 19000, dependsOn: [],
          readiness: { kind: 'http', path: '/health', port: 19100, status: 204, timeoutMs: 3000 },
          restart: { policy: 'always', maxRestarts: 2, backoffMs: 100, backoffMaxMs: 1000 }, stopTimeoutMs: 2000,
          watch: { paths: [path.join(dir, 'srv')], ignore: ['.micro-dev/', 'node_modules', '.git', 'dist'], debounceMs: 100, build: 'npm run build', cascade: true },
        },
        {
          name: 'legacy', tier: 'other', runtime: 'process', command: [path.join(dir, 'bin/legacy'), '--flag'], cwd: dir, env: {},
          replicas: 1, port: 0, dependsOn: ['greeter-srv'], readiness: { kind: 'log', pattern: '^ready$', timeoutMs: 1000 },
          restart: { policy: 'no', maxRestarts: 5, backoffMs: 200, backoffMaxMs: 5000 }, stopTimeoutMs: 5000,
        },
        {
          name: 'box-web', tier: 'web', runtime: 'container', cwd: dir, env: {}, replicas: 1, port: 0, dependsOn: ['legacy'],
          readiness: { kind: 'tcp', port: 80, timeoutMs: 10_000 }, restart: { policy: 'on-failure', maxRestarts: 5, backoffMs: 200, backoffMaxMs: 5000 },
          stopTimeoutMs: 5000, container: { image: 'nginx:1.27', reach: 'network' },
        },
      ],
    };
    expect(t).toEqual(want);
  });
});

describe('the repository micro.dev.yaml', () => {
  const file = path.resolve(import.meta.dirname, '../../micro.dev.yaml');
  const text = readFileSync(file, 'utf8');

  it('starts with the schema modeline and is valid (module files aside)', () => {
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./micro.dev.schema.json');
    const check = checkTopologyText(text, file, { fileExists: () => true });
    expect(check.problems.map((p) => formatProblem(p))).toEqual([]);
    const t = check.topology!;
    expect(t.name).toBe('greeter');
    expect(t.gateway).toMatchObject({ port: 8080, namespace: 'go.micro.api', handler: 'api' });
    expect([t.registry.kind, t.registry.port, t.registry.semantics, t.proxy.port, t.web.port, t.faults.port]).toEqual(['embedded', 8500, 'consul', 8081, 8082, 8474]);
    expect(t.services.map((s) => [s.name, s.tier, s.replicas, s.dependsOn, path.relative(path.dirname(file), s.module!)])).toEqual([
      ['greeter-srv', 'srv', 2, [], 'services/greeter-srv/main.ts'],
      ['greeter-api', 'api', 1, ['greeter-srv'], 'services/greeter-api/main.ts'],
      ['greeter-web', 'web', 1, ['greeter-api'], 'services/greeter-web/main.ts'],
    ]);
  });

  it('loads from disk, the greeter modules included', async () => {
    expect((await validateTopologyFile(file)).map((p) => formatProblem(p))).toEqual([]);
  });
});
