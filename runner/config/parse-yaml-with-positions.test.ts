import { describe, expect, it } from 'vitest';
import { parseYamlWithPositions } from './parse-yaml-with-positions.ts';

const text = [
  'name: demo', //                      1
  'services:', //                       2
  '  greeter-api:', //                  3
  '    module: a.ts', //                4
  '    depends_on: [greeter-srv, x]', // 5
  '    env:', //                        6
  '      A: 1', //                      7
  '',
].join('\n');

describe('parseYamlWithPositions', () => {
  const parsed = parseYamlWithPositions(text, '/tmp/micro.dev.yaml');

  it('returns the plain value', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.value).toEqual({
      name: 'demo',
      services: { 'greeter-api': { module: 'a.ts', depends_on: ['greeter-srv', 'x'], env: { A: 1 } } },
    });
  });

  it.each([
    { path: [], at: 'key', want: { line: 1, col: 1 } },
    { path: ['name'], at: 'key', want: { line: 1, col: 1 } },
    { path: ['name'], at: 'value', want: { line: 1, col: 7 } },
    { path: ['services', 'greeter-api'], at: 'key', want: { line: 3, col: 3 } },
    { path: ['services', 'greeter-api', 'module'], at: 'value', want: { line: 4, col: 13 } },
    { path: ['services', 'greeter-api', 'depends_on', 1], at: 'value', want: { line: 5, col: 31 } },
    { path: ['services', 'greeter-api', 'env', 'A'], at: 'key', want: { line: 7, col: 7 } },
    // missing key: falls back to the deepest existing ancestor's key
    { path: ['services', 'greeter-api', 'replicas'], at: 'value', want: { line: 3, col: 3 } },
    { path: ['services', 'nope', 'x'], at: 'key', want: { line: 2, col: 1 } },
    { path: ['services', 'greeter-api', 'depends_on', 7], at: 'value', want: { line: 5, col: 5 } },
  ] as const)('locates $path ($at) at $want.line:$want.col', ({ path, at, want }) => {
    expect(parsed.locate(path, at)).toEqual(want);
  });

  it.each([
    { text: 'a: [1, 2\nb: 3\n', want: { line: 2, col: 1 } },
    { text: 'a: 1\na: 2\n', want: { line: 2, col: 1 } },
    { text: 'a:\n  b: 1\n c: 2\n', want: { line: 3, col: 2 } },
    { text: 'a: b: c\n', want: { line: 1, col: 4 } },
    { text: 'a:\n\tb: 1\n', want: { line: 2, col: 2 } },
  ])('reports a syntax error in $text at its line:col', ({ text, want }) => {
    const p = parseYamlWithPositions(text, '/tmp/x.yaml');
    expect(p.value).toBeUndefined();
    expect(p.problems.length).toBeGreaterThan(0);
    expect(p.problems[0]).toMatchObject({ file: '/tmp/x.yaml', ...want });
    expect(p.problems[0]!.message).toMatch(/^YAML syntax error: /);
  });

  it('follows aliases and merge keys', () => {
    const p = parseYamlWithPositions('base: &b\n  x: 1\nsvc:\n  <<: *b\n  y: 2\n', '/tmp/x.yaml');
    expect(p.value).toEqual({ base: { x: 1 }, svc: { x: 1, y: 2 } });
    expect(p.locate(['svc', 'y'], 'value')).toEqual({ line: 5, col: 6 });
  });

  it('points an empty value at its key', () => {
    const p = parseYamlWithPositions('services:\n  a:\n  b: 1\n', '/tmp/x.yaml');
    expect(p.locate(['services', 'a'], 'value')).toEqual({ line: 2, col: 3 });
    expect(p.locate(['services', 'b'], 'value')).toEqual({ line: 3, col: 6 });
  });

  it('treats an empty document as null', () => {
    expect(parseYamlWithPositions('# only a comment\n', '/tmp/x.yaml').value).toBeNull();
  });
});
