import { describe, expect, it } from 'vitest';
import { validateRuntimeFields } from './validate-runtime-fields.ts';
import { runValidator } from './validation-input-from-yaml.ts';

const one = (body: string) => `services:\n  s:\n${body}`;

describe('validateRuntimeFields', () => {
  it.each([
    { name: 'worker with module', yaml: one('    module: s.ts\n'), want: [] },
    { name: 'process with command', yaml: one('    runtime: process\n    command: node s.js\n'), want: [] },
    { name: 'container with image', yaml: one('    runtime: container\n    container: {image: "nginx:1"}\n'), want: [] },
    { name: 'container with dockerfile and a CMD override', yaml: one('    runtime: container\n    command: [serve]\n    container: {dockerfile: Dockerfile}\n'), want: [] },
    {
      name: 'worker without module',
      yaml: one('    replicas: 2\n'),
      want: ['2:3: services.s: runtime worker (the default) needs "module" (a .ts or .js file, relative to the config file)'],
    },
    {
      name: 'command under the default runtime',
      yaml: one('    command: node s.js\n'),
      want: ['3:5: "command" does not belong to runtime worker (the default) in services.s (it is for process/container); add runtime: process'],
    },
    {
      name: 'process without command',
      yaml: one('    runtime: process\n'),
      want: ['2:3: services.s: runtime process needs "command" (a command line or a list of arguments)'],
    },
    {
      name: 'process with a module',
      yaml: one('    runtime: process\n    command: x\n    module: s.ts\n'),
      want: ['5:5: "module" does not belong to runtime process in services.s (it is for worker)'],
    },
    {
      name: 'container without image or dockerfile',
      yaml: one('    runtime: container\n    container: {reach: network}\n'),
      want: ['4:5: services.s: runtime container needs container.image or container.dockerfile'],
    },
    {
      name: 'container block and cwd on a worker',
      yaml: one('    module: s.ts\n    cwd: x\n    container: {image: nginx}\n'),
      want: [
        '5:5: "container" does not belong to runtime worker (the default) in services.s (it is for container); add runtime: container',
      ],
    },
    {
      name: 'cwd on a container',
      yaml: one('    runtime: container\n    cwd: x\n    container: {image: nginx}\n'),
      want: ['4:5: "cwd" does not belong to runtime container in services.s (it is for worker/process)'],
    },
    {
      name: 'unterminated quote',
      yaml: one(`    runtime: process\n    command: node -e 'x\n`),
      want: ['4:14: services.s.command: unterminated single quote in command'],
    },
    {
      name: 'blank command',
      yaml: one(`    runtime: process\n    command: "  "\n`),
      want: ['4:14: services.s.command: the command is empty'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateRuntimeFields, yaml)).toEqual(want);
  });
});
