import { describe, expect, it } from 'vitest';
import { resolveNamespace } from './resolve-namespace.ts';

describe('resolveNamespace (reference §1, §8.1)', () => {
  const rows: [string, string | undefined, Record<string, string>, string][] = [
    ['default', undefined, {}, 'go.micro.api'],
    ['config default, no env', 'go.micro.api', {}, 'go.micro.api'],
    ['--namespace wins over env', 'com.example.api', { MICRO_API_NAMESPACE: 'x.api', MICRO_NAMESPACE: 'y.api' }, 'com.example.api'],
    ['MICRO_API_NAMESPACE (the code)', 'go.micro.api', { MICRO_API_NAMESPACE: 'com.example.api' }, 'com.example.api'],
    ['MICRO_API_NAMESPACE wins over MICRO_NAMESPACE', undefined, { MICRO_API_NAMESPACE: 'a.api', MICRO_NAMESPACE: 'b.api' }, 'a.api'],
    ['MICRO_NAMESPACE (the docs)', undefined, { MICRO_NAMESPACE: 'com.example.api' }, 'com.example.api'],
    ['MICRO_NAMESPACE global meaning joins the type', undefined, { MICRO_NAMESPACE: 'go.micro' }, 'go.micro.api'],
    ['blank config namespace = none (v1 hack)', ' ', {}, ''],
    ['blank MICRO_API_NAMESPACE = none', undefined, { MICRO_API_NAMESPACE: ' ' }, ''],
  ];
  it.each(rows)('%s', (_name, namespace, env, expected) => {
    expect(resolveNamespace({ namespace }, env)).toBe(expected);
  });
});
