import { describe, expect, it } from 'vitest';
import { validateRegistry } from './validate-registry.ts';
import { runValidator } from './validation-input-from-yaml.ts';

describe('validateRegistry', () => {
  it.each([
    { name: 'defaults', yaml: 'name: x\n', want: [] },
    { name: 'embedded eureka with options', yaml: 'registry:\n  semantics: eureka\n  eureka: {self_preservation: false}\n', want: [] },
    { name: 'the Eureka face with its port', yaml: 'registry:\n  eureka: {serve: true, port: 0, self_preservation: false}\n', want: [] },
    {
      name: 'face settings used by a service that speaks nacos',
      yaml: 'registry:\n  nacos: {port: 0}\nservices:\n  a: {module: a.ts, registry: nacos}\n',
      want: [],
    },
    {
      name: 'a service on a face of a real Consul',
      yaml: 'registry:\n  kind: consul\n  address: "127.0.0.1:8500"\n  eureka: {serve: true}\nservices:\n  a: {module: a.ts, registry: eureka}\n',
      want: [
        '6:21: services.a: registry eureka needs the embedded registry (its Eureka face); registry kind is consul',
        '4:3: registry: the Eureka face (serve: true) needs kind: embedded',
      ],
    },
    { name: 'eureka peers', yaml: 'registry:\n  semantics: eureka\n  peers: 3\n', want: [] },
    { name: 'eureka peers through the face', yaml: 'registry:\n  peers: 3\n  eureka: {serve: true}\n', want: [] },
    {
      name: 'peers without Eureka',
      yaml: 'registry:\n  peers: 3\n  persist: r.json\n',
      want: [
        '2:3: registry: peers replicate the Eureka way; they need semantics: eureka or the Eureka face (eureka: {serve: true}, or a service with registry: eureka)',
        '3:3: registry: persist keeps one registry on disk; it cannot be combined with peers',
      ],
    },
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
      want: ['2:3: registry: "address" belongs to kind: consul or etcd; the embedded registry listens on host and port'],
    },
    { name: 'etcd at its endpoints, comma separated', yaml: 'registry:\n  kind: etcd\n  address: "etcd-1:2379,etcd-2:2379"\n', want: [] },
    { name: 'etcd at its endpoints, as a list', yaml: 'registry:\n  kind: etcd\n  address: ["etcd-1:2379", "etcd-2:2379"]\n', want: [] },
    {
      name: 'etcd at an address with members to start',
      yaml: 'registry:\n  kind: etcd\n  nodes: 3\n  address: "etcd-1:2379"\n',
      want: ['3:3: registry: "nodes" counts the etcd members micro-dev starts; with "address" the cluster is yours and micro-dev starts none'],
    },
    {
      name: 'consul at several addresses',
      yaml: 'registry:\n  kind: consul\n  address: "a:8500,b:8500"\n',
      want: ['3:3: registry: kind consul takes one address (host:port of an agent), got 2; several are for kind: etcd'],
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
      want: ['2:3: registry: "eureka" settings apply only with semantics: eureka or the Eureka face (serve: true, or a service with registry: eureka)'],
    },
  ])('$name', ({ yaml, want }) => {
    expect(runValidator(validateRegistry, yaml)).toEqual(want);
  });
});
