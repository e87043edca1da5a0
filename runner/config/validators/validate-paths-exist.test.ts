import { describe, expect, it } from 'vitest';
import { validatePathsExist } from './validate-paths-exist.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validatePathsExist', () => {
  it.each([
    {
      name: 'module present',
      yaml: 'services:\n  s: {module: svc/main.ts}\n',
      existing: ['/project/svc/main.ts'],
      want: [],
    },
    {
      name: 'module missing',
      yaml: 'services:\n  s:\n    module: svc/main.ts\n',
      existing: [],
      want: ['3:13: services.s: module svc/main.ts not found (looked for /project/svc/main.ts)'],
    },
    {
      name: 'module of a non-worker is not checked (another validator rejects it)',
      yaml: 'services:\n  s: {runtime: process, command: x, module: nope.ts}\n',
      existing: [],
      want: [],
    },
    {
      name: 'cwd and watch paths',
      yaml: 'services:\n  s:\n    module: m.ts\n    cwd: ../other\n    watch: {paths: [src, lib]}\n',
      existing: ['/project/m.ts', '/project/src'],
      want: [
        '4:10: services.s: cwd ../other not found (looked for /other)',
        '5:26: services.s: watch path lib not found (looked for /project/lib)',
      ],
    },
    {
      name: 'dockerfile and context',
      yaml: 'services:\n  s:\n    runtime: container\n    container: {dockerfile: docker/Dockerfile, context: docker}\n',
      existing: ['/project/docker'],
      want: ['4:29: services.s: dockerfile docker/Dockerfile not found (looked for /project/docker/Dockerfile)'],
    },
    {
      name: 'tls files',
      yaml: 'gateway:\n  tls: {cert: c.pem, key: k.pem}\n',
      existing: ['/project/c.pem'],
      want: ['2:27: gateway: TLS key k.pem not found (looked for /project/k.pem)'],
    },
  ])('$name', ({ yaml, existing, want }) => {
    expect(runValidator(validatePathsExist, yaml, existing)).toEqual(want);
  });
});
