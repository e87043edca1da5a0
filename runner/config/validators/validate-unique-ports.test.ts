import { describe, expect, it } from 'vitest';
import { validateUniquePorts } from './validate-unique-ports.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateUniquePorts', () => {
  it.each([
    { name: 'defaults do not clash', yaml: 'services:\n  a: {module: a.ts}\n', want: [] },
    { name: 'port 0 never clashes', yaml: 'broker: {port: 0}\ncontrol: {port: 0}\nservices:\n  a: {module: a.ts, port: 0}\n', want: [] },
    {
      name: 'two listeners',
      yaml: 'gateway:\n  port: 9000\nproxy:\n  port: 9000\n',
      want: ['4:9: port 9000 is used by both gateway and proxy'],
    },
    {
      name: 'a service on a default listener port',
      yaml: 'services:\n  a:\n    module: a.ts\n    port: 8080\n',
      want: ['4:11: port 8080 is used by both gateway (default port) and services.a'],
    },
    {
      name: 'a listener moved onto another default',
      yaml: 'faults:\n  port: 8500\n',
      want: ['2:9: port 8500 is used by both registry (default port) and faults'],
    },
    {
      name: 'replicas take consecutive ports',
      yaml: 'services:\n  a:\n    module: a.ts\n    port: 9000\n    replicas: 3\n  b:\n    module: b.ts\n    port: 9002\n',
      want: ['8:11: port 9002 is used by both services.a (replica 3 takes port 9000+2) and services.b'],
    },
    {
      name: 'replicas running into a listener',
      yaml: 'services:\n  a:\n    module: a.ts\n    port: 8079\n    replicas: 2\n',
      want: ['4:11: port 8080 is used by both gateway (default port) and services.a (replica 2 takes port 8079+1)'],
    },
    {
      name: 'an external Consul does not take a local port',
      yaml: 'registry: {kind: consul, address: "127.0.0.1:8500"}\nservices:\n  a: {module: a.ts, port: 8500}\n',
      want: [],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateUniquePorts, yaml)).toEqual(want);
  });
});
