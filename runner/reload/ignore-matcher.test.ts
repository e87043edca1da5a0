import { describe, expect, it } from 'vitest';
import { ignoreMatcher } from './ignore-matcher.ts';
import { watchScope } from './watch-scope.ts';

const root = '/proj';

describe('ignoreMatcher', () => {
  const defaults = ['.micro-dev/', 'node_modules', '.git'];
  it.each([
    [defaults, '/proj/services/a/node_modules/x/index.js', true],
    [defaults, '/proj/node_modules', true],
    [defaults, '/proj/.git/HEAD', true],
    [defaults, '/proj/.micro-dev/run.json', true],
    [defaults, '/proj/services/a/main.ts', false],
    [defaults, '/proj/services/a/my_node_modules_notes.md', false],
    [['*.log'], '/proj/services/a/out.log', true],
    [['*.log'], '/proj/services/a/log.ts', false],
    [['dist/'], '/proj/services/a/dist/main.js', true],
    [['services/a/gen'], '/proj/services/a/gen/x.ts', true],
    [['services/a/gen'], '/proj/services/b/gen/x.ts', false],
    [['services/*/gen'], '/proj/services/b/gen/x.ts', true],
    [['**/*.test.ts'], '/proj/services/a/main.test.ts', true],
    [['./build'], '/proj/build/out.js', true],
    [['node_modules'], '/elsewhere/node_modules/kit.js', true],
    [['services/a/gen'], '/elsewhere/services/a/gen/x.ts', false],
    [defaults, '/proj', false],
  ])('%j ignores %s: %s', (patterns, file, expected) => {
    expect(ignoreMatcher(patterns, root)(file)).toBe(expected);
  });
});

it('judges only the part below the config folder, even when that folder sits under an ignored name', () => {
  const ignored = ignoreMatcher(['.micro-dev/', 'node_modules'], '/repo/.micro-dev/scratch');
  expect(ignored('/repo/.micro-dev/scratch')).toBe(false);
  expect(ignored('/repo/.micro-dev/scratch/svc/main.ts')).toBe(false);
  expect(ignored('/repo/.micro-dev/scratch/svc/node_modules/x.js')).toBe(true);
});

describe('watchScope', () => {
  it('watches plain paths as they are and filters by ignore', () => {
    const scope = watchScope({ paths: ['/proj/services/a'], ignore: ['node_modules'], debounceMs: 300, cascade: false }, root);
    expect(scope.roots).toEqual(['/proj/services/a']);
    expect(scope.relevant('/proj/services/a/main.ts')).toBe(true);
    expect(scope.relevant('/proj/services/a/node_modules/x.js')).toBe(false);
    expect(scope.relevant('/proj/services/ab/main.ts')).toBe(false);
  });

  it('watches a glob from its static base and keeps only matching files', () => {
    const scope = watchScope({ paths: ['/proj/services/a/**/*.ts'], ignore: [], debounceMs: 300, cascade: false }, root);
    expect(scope.roots).toEqual(['/proj/services/a']);
    expect(scope.relevant('/proj/services/a/lib/x.ts')).toBe(true);
    expect(scope.relevant('/proj/services/a/README.md')).toBe(false);
  });
});
