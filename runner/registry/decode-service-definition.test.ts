import { describe, expect, it } from 'vitest';
import { ConsulHttpError } from './consul-http-error.ts';
import { decodeServiceDefinition } from './decode-service-definition.ts';

const decode = (body: unknown, semantics: 'consul' | 'nacos' = 'consul') =>
  decodeServiceDefinition(typeof body === 'string' ? body : JSON.stringify(body), { profile: 'modern', semantics });
const fails = (body: unknown, text: string, semantics: 'consul' | 'nacos' = 'consul') =>
  expect(() => decode(body, semantics)).toThrow(new ConsulHttpError(400, text));

describe('decodeServiceDefinition (strict Go-style decoding, Consul validation order)', () => {
  it('matches keys case-insensitively and accepts snake_case aliases', () => {
    const d = decode({ name: 'web', id: 'w1', PORT: 8080, enable_tag_override: true, check: { ttl: '10s', deregister_critical_service_after: '2m' } });
    expect(d.service).toMatchObject({ id: 'w1', name: 'web', port: 8080, enableTagOverride: true });
    expect(d.checks[0]).toMatchObject({ type: 'ttl', ttlMs: 10_000, deregisterCriticalServiceAfterMs: 120_000 });
  });

  it('accepts the Go client shape (nulls, ScriptArgs alias, Weights)', () => {
    const d = decode({ ID: 'a', Name: 'web', Tags: null, Check: null, Checks: null, Meta: null, Weights: { Passing: 3, Warning: 1 } });
    expect(d.service.tags).toEqual([]);
    expect(d.service.weights).toEqual({ Passing: 3, Warning: 1 });
    expect(d.checks).toEqual([]);
  });

  it.each([
    ['', 'Request decode failed: EOF'],
    ['{"Name":', 'Request decode failed: unexpected EOF'],
    ['xyz', "Request decode failed: invalid character 'x' looking for beginning of value"],
    ['{"Name":1}', 'Request decode failed: json: cannot unmarshal number into Go struct field ServiceDefinition.Name of type string'],
    ['{"Name":"w","Port":"80"}', 'Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int'],
    ['{"Name":"w","Port":1.5}', 'Request decode failed: json: cannot unmarshal number 1.5 into Go struct field ServiceDefinition.Port of type int'],
    ['{"Name":"w","Tags":[1]}', 'Request decode failed: json: cannot unmarshal number into Go struct field ServiceDefinition.Tags of type string'],
    ['{"Name":"w","Check":{"Nope":1}}', 'Request decode failed: json: unknown field "Nope"'],
    ['[]', 'Request decode failed: json: cannot unmarshal array into Go value of type structs.ServiceDefinition'],
  ])('decode error for %j', (body, text) => fails(body, text));

  it('reports problems in Consul handler order', () => {
    fails({ Address: '0.0.0.0' }, 'Missing service name');
    fails({ Name: 'w', Address: '::', Meta: { 'a.b': '1' } }, 'Invalid service address');
    fails({ Name: 'w', Weights: { Passing: 0, Warning: 1 } }, 'Invalid Weights: Passing must be greater than 0');
    fails({ Name: 'w', Weights: { Passing: 1, Warning: -1 } }, 'Invalid Weights: Warning must be greater or equal than 0');
    fails({ Name: 'w', Meta: { k: 'x'.repeat(513) } }, `Invalid Service Meta: Couldn't load metadata pair ('k', '${'x'.repeat(513)}'): Value is too long (limit: 512 characters)`);
    fails({ Name: 'w', Check: { TTL: '1s', Status: 'bad' }, Checks: [{ Interval: '1s', TTL: '1s' }] }, 'Invalid check: Interval and TTL cannot both be specified');
    fails({ Name: 'w', Check: { AliasService: 'x', Interval: '1s' } }, 'Invalid check: Interval cannot be set for Alias checks');
    fails({ Name: 'w', Check: { TTL: '1s', FailuresBeforeWarning: 2, FailuresBeforeCritical: 1 } }, "Invalid check: FailuresBeforeWarning can't be higher than FailuresBeforeCritical");
  });

  it('raises probe intervals below 1 s to 1 s and types the checks', () => {
    const d = decode({ Name: 'w', Checks: [{ HTTP: 'http://127.0.0.1/', Interval: '10ms' }, { TCP: '127.0.0.1:1', Interval: '5s' }, { AliasService: 'x' }] });
    expect(d.checks.map((c) => [c.type, c.intervalMs])).toEqual([
      ['http', 1000],
      ['tcp', 5000],
      ['alias', 0],
    ]);
  });

  it('allows Nacos preserved.* meta keys only under the nacos model', () => {
    const meta = { Name: 'w', Meta: { 'preserved.heart.beat.timeout': '20000' } };
    fails(meta, "Invalid Service Meta: Couldn't load metadata pair ('preserved.heart.beat.timeout', '20000'): Key contains invalid characters");
    expect(decode(meta, 'nacos').service.meta).toEqual({ 'preserved.heart.beat.timeout': '20000' });
  });
});
