import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, validateTopologyFile } from './load-topology.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const dir = 'test/fixtures/config';

// Kept in step with test/fixtures/config/README.md, which the CLI tests rely on.
describe('test/fixtures/config', () => {
  it.each([
    { file: 'valid.yaml', want: [] },
    { file: 'syntax-error.yaml', want: ['7:4: YAML syntax error: All mapping items must start at the same column'] },
    {
      file: 'unknown-key.yaml',
      want: [
        '8:14: unknown runtime "proces" in services.echo-api (did you mean "process"?)',
        '10:5: unknown key "dependson" in services.echo-api (did you mean "depends_on"?)',
      ],
    },
    { file: 'dependency-cycle.yaml', want: ['7:18: dependency cycle: a -> b -> a'] },
    {
      file: 'duplicate-port.yaml',
      want: [
        '9:11: port 9090 is used by both gateway and services.echo-srv',
        '13:11: port 8081 is used by both proxy (default port) and services.echo-api',
      ],
    },
    {
      file: 'missing-module.yaml',
      want: ['5:13: services.echo-srv: module no-such-dir/main.ts not found (looked for <repo>/test/fixtures/config/no-such-dir/main.ts)'],
    },
  ])('$file', async ({ file, want }) => {
    const problems = await validateTopologyFile(path.join(repo, dir, file));
    expect(problems.map((p) => formatProblem(p, repo))).toEqual(
      want.map((line) => `${dir}/${file}:${line.replace('<repo>', repo)}`),
    );
  });
});
