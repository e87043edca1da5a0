import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigSchema } from './config-schema.ts';
import { parseYamlWithPositions } from './parse-yaml-with-positions.ts';
import { knownKeysAt, showPath, zodIssuesToProblems } from './zod-issues-to-problems.ts';

/** `LINE:COL: message` for each problem the shape step finds in `yaml`. */
function shapeProblems(yaml: string, schema: z.core.$ZodType = ConfigSchema): string[] {
  const parsed = parseYamlWithPositions(yaml, '/x/micro.dev.yaml');
  const result = z.safeParse(schema, parsed.value);
  if (result.success) return [];
  return zodIssuesToProblems(result.error.issues, parsed, schema).map((p) => `${p.line}:${p.col}: ${p.message}`);
}

const svc = (body: string) => `services:\n  greeter-api:\n${body}`;

describe('zodIssuesToProblems on ConfigSchema', () => {
  it.each([
    {
      name: 'unknown key with suggestion',
      yaml: svc('    module: a.ts\n    dependson: [greeter-srv]\n'),
      want: ['4:5: unknown key "dependson" in services.greeter-api (did you mean "depends_on"?)'],
    },
    {
      name: 'camelCase key',
      yaml: svc('    stopTimeout: 5s\n'),
      want: ['3:5: unknown key "stopTimeout" in services.greeter-api (did you mean "stop_timeout"?)'],
    },
    {
      name: 'unknown top-level key',
      yaml: 'sevices: {}\n',
      want: ['1:1: unknown key "sevices" at the top level (did you mean "services"?)'],
    },
    {
      name: 'unknown key without a close match lists the known keys',
      yaml: 'proxy:\n  colour: red\n',
      want: ['2:3: unknown key "colour" in proxy (known keys: host, port, versions)'],
    },
    {
      name: 'enum with suggestion',
      yaml: svc('    runtime: workr\n'),
      want: ['3:14: unknown runtime "workr" in services.greeter-api (did you mean "worker"?)'],
    },
    {
      name: 'enum without suggestion',
      yaml: 'gateway:\n  handler: graphql\n',
      want: ['2:12: unknown handler "graphql" in gateway (expected one of meta, api, rpc, http, proxy, web, event)'],
    },
    {
      name: 'wrong type',
      yaml: svc('    replicas: two\n'),
      want: ['3:15: services.greeter-api.replicas: expected a number, got string "two"'],
    },
    {
      name: 'not an integer',
      yaml: svc('    replicas: 1.5\n'),
      want: ['3:15: services.greeter-api.replicas: expected an integer, got number 1.5'],
    },
    {
      name: 'replicas >= 1',
      yaml: svc('    replicas: 0\n'),
      want: ['3:15: services.greeter-api.replicas: must be >= 1, got number 0'],
    },
    {
      name: 'time_scale > 0 (and its alias)',
      yaml: 'registry:\n  time_scale: 0\n  timeScale: -1\n',
      want: ['2:15: registry.time_scale: must be > 0, got number 0', '3:14: registry.timeScale: must be > 0, got number -1'],
    },
    {
      name: 'port range',
      yaml: 'gateway:\n  port: 70000\n',
      want: ['2:9: gateway.port: must be <= 65535, got number 70000'],
    },
    {
      name: 'duration',
      yaml: 'gateway:\n  timeout: soon\n',
      want: ['2:12: gateway.timeout: expected a duration such as 300ms, 5s, 1m30s, or a number of milliseconds (no spaces inside)'],
    },
    {
      name: 'duration of the wrong type explains the union',
      yaml: 'gateway:\n  timeout: true\n',
      want: ['2:12: gateway.timeout: expected a duration such as 300ms, 5s, 1m30s, or a number of milliseconds, got boolean true'],
    },
    {
      name: 'size',
      yaml: 'gateway:\n  body_limit: 10mb\n',
      want: ['2:15: gateway.body_limit: expected a size such as 10MiB, 512KiB, or a number of bytes'],
    },
    {
      name: 'tls literal or mapping',
      yaml: 'gateway:\n  tls: yes\n',
      want: ['2:8: gateway.tls: expected "auto" or {cert, key}, got string "yes"'],
    },
    {
      name: 'missing required key inside a mapping form',
      yaml: 'gateway:\n  tls: {cert: c.pem}\n',
      want: ['2:3: missing required key "key" in gateway.tls'],
    },
    {
      name: 'restart short form typo',
      yaml: svc('    restart: allways\n'),
      want: ['3:14: unknown restart "allways" in services.greeter-api (did you mean "always"?)'],
    },
    {
      name: 'restart mapping form: errors inside the mapping',
      yaml: svc('    restart: {policy: nope, max_restart: 3}\n'),
      want: [
        '3:23: unknown policy "nope" in services.greeter-api.restart (expected one of no, on-failure, always)',
        '3:29: unknown key "max_restart" in services.greeter-api.restart (did you mean "max_restarts"?)',
      ],
    },
    {
      name: 'readiness needs exactly one kind',
      yaml: svc('    readiness: {http: {path: /h}, tcp: {}}\n'),
      want: ['3:5: services.greeter-api.readiness: give exactly one of registered, http, tcp, log'],
    },
    {
      name: 'readiness http path',
      yaml: svc('    readiness:\n      http: {path: health}\n'),
      want: ['4:20: services.greeter-api.readiness.http.path: must start with /'],
    },
    {
      name: 'env values are scalars',
      yaml: svc('    env: {A: [1]}\n'),
      want: ['3:14: services.greeter-api.env.A: expected a string, number or boolean, got a list'],
    },
    {
      name: 'depends_on items',
      yaml: svc('    depends_on: [a, 3]\n'),
      want: ['3:21: services.greeter-api.depends_on[1]: expected a string, got number 3'],
    },
    {
      name: 'services must be a mapping',
      yaml: 'services: [a, b]\n',
      want: ['1:11: services: expected a mapping, got a list'],
    },
    {
      name: 'top level must be a mapping',
      yaml: '- a\n- b\n',
      want: ['1:1: top level: expected a mapping, got a list'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(shapeProblems(yaml)).toEqual(want);
  });

  it('accepts the short and long forms', () => {
    const ok = svc(
      [
        '    runtime: process',
        '    command: node server.js',
        '    readiness: tcp',
        '    restart: always',
        '    watch: true',
        '    env: {A: 1, B: true, C: x}',
        '',
      ].join('\n'),
    );
    expect(shapeProblems(ok)).toEqual([]);
    expect(shapeProblems('registry: {timeScale: 0.01}\ngateway: {tls: auto, timeout: 1m30s, body_limit: 512KiB}\n')).toEqual([]);
  });
});

describe('zodIssuesToProblems on another schema (as the scenario loader uses it)', () => {
  const Scenario = z.strictObject({
    name: z.string(),
    steps: z.array(z.strictObject({ at: z.string(), action: z.enum(['kill', 'latency', 'partition']) })),
  });
  it.each([
    {
      yaml: 'name: s\nsteps:\n  - at: 5s\n    actoin: kill\n',
      want: ['3:5: missing required key "action" in steps[0]', '4:5: unknown key "actoin" in steps[0] (did you mean "action"?)'],
    },
    {
      yaml: 'name: s\nsteps:\n  - {at: 5s, action: kil}\n',
      want: ['3:22: unknown action "kil" in steps[0] (did you mean "kill"?)'],
    },
    { yaml: 'steps: []\n', want: ['1:1: missing required key "name" at the top level'] },
  ])('$yaml', ({ yaml, want }) => {
    expect(shapeProblems(yaml, Scenario)).toEqual(want);
  });
});

describe('knownKeysAt / showPath', () => {
  it.each([
    { path: [], has: 'services' },
    { path: ['services', 'any-name'], has: 'depends_on' },
    { path: ['services', 'x', 'restart'], has: 'max_restarts' },
    { path: ['services', 'x', 'readiness', 'http'], has: 'status' },
    { path: ['gateway', 'tls'], has: 'cert' },
  ])('$path knows $has', ({ path, has }) => {
    expect(knownKeysAt(ConfigSchema, path)).toContain(has);
  });

  it.each([
    { path: [], want: '' },
    { path: ['services', 'greeter-api', 'depends_on', 0], want: 'services.greeter-api.depends_on[0]' },
    { path: [0, 'a'], want: '[0].a' },
  ])('showPath($path) = $want', ({ path, want }) => {
    expect(showPath(path)).toBe(want);
  });
});
