import { describe, expect, it } from 'vitest';
import { validateRegistry } from './validate-registry.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateRegistry', () => {
  it.each([
    { name: 'defaults', yaml: 'name: x\n', want: [] },
    { name: 'embedded eureka with options', yaml: 'registry:\n  semantics: eureka\n  eureka: {self_preservation: false}\n', want: [] },
    { name: 'consul at an address', yaml: 'registry:\n  kind: consul\n  address: "127.0.0.1:8500"\n', want: [] },
    { name: 'consul in a container', yaml: 'registry:\n  kind: consul\n  mode: container\n', want: [] },
    {
      name: 'consul with neither',
      yaml: 'registry:\n  kind: consul\n',
      want: ['2:3: registry kind consul needs "address" (host:port of your Consul) or mode: container'],
    },
    {
      name: 'address on the embedded registry',
      yaml: 'registry:\n  address: "127.0.0.1:8500"\n',
      want: ['2:3: registry: "address" belongs to kind: consul; the embedded registry listens on host and port'],
    },
    {
      name: 'time_scale and its alias together',
      yaml: 'registry:\n  time_scale: 1\n  timeScale: 0.5\n',
      want: ['3:3: registry: give time_scale or its alias timeScale, not both'],
    },
    {
      name: 'lease model on a real Consul',
      yaml: 'registry:\n  kind: consul\n  mode: container\n  semantics: nacos\n  timeScale: 0.1\n',
      want: [
        '4:3: registry: semantics nacos needs kind: embedded (a real Consul has consul semantics)',
        '5:3: registry: timeScale needs kind: embedded (a real Consul keeps real time)',
      ],
    },
    {
      name: 'model options for another model',
      yaml: 'registry:\n  eureka: {self_preservation: false}\n  nacos: {protect_threshold: 0.5}\n  semantics: nacos\n',
      want: ['2:3: registry: "eureka" settings apply only with semantics: eureka'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateRegistry, yaml)).toEqual(want);
  });
});
