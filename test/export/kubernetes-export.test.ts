/**
 * `micro-dev export kubernetes`: every example under examples/ and the default topology render, and every
 * object validates against the Kubernetes OpenAPI schemas (kubernetes-models' validators; the suite fails
 * on a schema error). The default topology's files equal the golden files in test/export/golden/kubernetes
 * (reviewed by hand); MICRO_DEV_UPDATE_GOLDEN=1 rewrites them. The CLI writes the files, the build context
 * and a kustomization that names every file.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { renderKubernetes } from '../../runner/export/kubernetes/export-kubernetes.ts';
import { serviceSelector, registrySelector, gatewaySelector } from '../../runner/export/kubernetes-labels.ts';
import { repoRoot, runCli } from '../support/cli-process.ts';

const run = promisify(execFile);
const GOLDEN = join(repoRoot, 'test/export/golden/kubernetes');

const models = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
} as const;

/** Validates one object with the model of its apiVersion/kind; throws naming the object and the problem. */
function validate(object: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): void {
  const Model = models[`${object.apiVersion}/${object.kind}` as keyof typeof models];
  if (!Model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object as never).validate();
  } catch (e) {
    throw new Error(`${object.kind} ${object.metadata?.name}: ${(e as Error).message}`, { cause: e });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, walked by the assertions
function manifests(files: Map<string, string>): Array<Record<string, any>> {
  return [...files]
    .filter(([name]) => name.endsWith('.yaml') && name !== 'kustomization.yaml')
    .flatMap(([, text]) => parseAllDocuments(text).map((d) => d.toJS()));
}

const topologies = [
  join(repoRoot, 'micro.dev.yaml'),
  ...(await readdir(join(repoRoot, 'examples'), { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(join(repoRoot, 'examples', d.name, 'micro.dev.yaml')))
    .map((d) => join(repoRoot, 'examples', d.name, 'micro.dev.yaml')),
];

describe('export kubernetes', () => {
  it('covers the default topology and at least the two examples', () => {
    expect(topologies.length).toBeGreaterThanOrEqual(3);
  });

  it.each(topologies.flatMap((file) => [[file, undefined], [file, 'staging']] as const))('%s (namespace %s) validates against the Kubernetes schemas', async (file, namespace) => {
    const { files } = await renderKubernetes({ configFile: file, ...(namespace ? { namespace } : {}) });
    const objects = manifests(files);
    for (const object of objects) validate(object);
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['StatefulSet/micro-dev-registry', 'Service/micro-dev-registry-headless', 'Deployment/micro-dev-gateway', 'Service/micro-dev-gateway']));
    const topology = parse(await readFile(file, 'utf8'));
    const project = topology.name as string;
    for (const service of Object.keys(topology.services)) {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === service)!;
      expect(deployment.spec.selector.matchLabels).toEqual(serviceSelector(project, service));
      expect(deployment.spec.template.metadata.labels).toMatchObject({ ...serviceSelector(project, service), 'micro-dev/service': service });
      expect(deployment.spec.replicas).toBe(topology.services[service].replicas ?? 1);
      expect(deployment.spec.template.spec.containers[0].readinessProbe).toBeDefined();
      expect(objects.some((o) => o.kind === 'Service' && o.metadata.name === service)).toBe(true);
    }
    const registry = objects.find((o) => o.kind === 'StatefulSet')!;
    expect(registry.spec.replicas).toBe(3);
    expect(registry.spec.selector.matchLabels).toEqual(registrySelector(project));
    expect(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'micro-dev-gateway')!.spec.selector.matchLabels).toEqual(gatewaySelector(project));
    for (const o of objects) if (namespace && o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(namespace);
    const kustomization = parse(files.get('kustomization.yaml')!);
    expect(kustomization.resources).toEqual([...files.keys()].filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml'));
    if (namespace) expect(kustomization.namespace).toBe(namespace);
  });

  it('gives a service named outside RFC 1123 a Kubernetes name, keeps its name in the labels, and refuses two that collide', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'micro-dev-export-names-'));
    try {
      const file = join(dir, 'micro.dev.yaml');
      await writeFile(file, 'name: Shop_Main\nservices:\n  Orders_srv:\n    runtime: container\n    container: {image: "orders:1"}\n');
      const { files } = await renderKubernetes({ configFile: file });
      const objects = manifests(files);
      for (const object of objects) validate(object);
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'orders-srv')!;
      expect(deployment.metadata.labels['micro-dev/service']).toBe('Orders_srv');
      expect(deployment.spec.template.spec.containers[0].image).toBe('orders:1');
      expect(files.has('orders-srv.yaml')).toBe(true);
      expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.name === 'shop-main-topology')).toBe(true);

      await writeFile(file, 'registry: {kind: etcd}\nservices:\n  etcd-1:\n    runtime: container\n    container: {image: "a:1"}\n');
      await expect(renderKubernetes({ configFile: file })).rejects.toThrow('service etcd-1: the export names its own infrastructure so');

      await writeFile(file, 'services:\n  a_srv:\n    runtime: container\n    container: {image: "a:1"}\n  A.srv:\n    runtime: container\n    container: {image: "a:1"}\n');
      await expect(renderKubernetes({ configFile: file })).rejects.toThrow('services a_srv and A.srv both become the Kubernetes name a-srv');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the schema check fails on a broken object (it can fail)', () => {
    expect(() => validate({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } } as never)).toThrow(/replicas must be integer/);
    expect(() => validate({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'http' }] } } as never)).toThrow(/port/);
  });

  it('registry kind etcd: a 3-member etcd StatefulSet under a headless Service, every service and the gateway on the three (golden registry.yaml)', async () => {
    const { files } = await renderKubernetes({ configFile: join(repoRoot, 'examples/etcd/micro.dev.yaml'), nodeImage: 'micro-dev/node:24' });
    const objects = manifests(files);
    for (const object of objects) validate(object);
    const registry = files.get('registry.yaml')!;
    const golden = join(repoRoot, 'test/export/golden/kubernetes-etcd/registry.yaml');
    if (process.env.MICRO_DEV_UPDATE_GOLDEN === '1') {
      await mkdir(join(golden, '..'), { recursive: true });
      await writeFile(golden, registry);
    }
    expect(registry, 'review the change, then MICRO_DEV_UPDATE_GOLDEN=1 npx vitest run test/export/kubernetes-export.test.ts').toBe(await readFile(golden, 'utf8'));

    const set = objects.find((o) => o.kind === 'StatefulSet')!;
    expect(set.spec).toMatchObject({ replicas: 3, serviceName: 'micro-dev-registry-headless', podManagementPolicy: 'Parallel' });
    const etcd = set.spec.template.spec.containers[0];
    expect(etcd.image).toBe('quay.io/coreos/etcd:v3.4.34');
    expect(etcd.env).toEqual([{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
    const flag = (name: string) => etcd.command[etcd.command.indexOf(name) + 1];
    expect(flag('--name')).toBe('$(POD_NAME)');
    expect(flag('--initial-advertise-peer-urls')).toBe('http://$(POD_NAME).micro-dev-registry-headless:2380');
    expect(flag('--initial-cluster')).toBe([0, 1, 2].map((i) => `micro-dev-registry-${i}=http://micro-dev-registry-${i}.micro-dev-registry-headless:2380`).join(','));
    expect(etcd.readinessProbe.httpGet).toEqual({ path: '/health', port: 2379 });
    const headless = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'micro-dev-registry-headless')!;
    expect(headless.spec).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(headless.spec.ports.map((p: { port: number }) => p.port)).toEqual([2379, 2380]);

    const endpoints = [0, 1, 2].map((i) => `micro-dev-registry-${i}.micro-dev-registry-headless:2379`).join(',');
    const srv = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'greeter-srv')!.spec.template.spec.containers[0];
    expect(srv.env).toEqual(expect.arrayContaining([{ name: 'MICRO_REGISTRY', value: 'etcd' }, { name: 'MICRO_REGISTRY_ADDRESS', value: endpoints }]));
    // `registered` readiness reads etcd's JSON gateway, not Consul's API.
    expect(srv.readinessProbe.exec.command.join(' ')).toContain('/v3/kv/range');
    const config = objects.find((o) => o.kind === 'ConfigMap')!;
    expect(parse(config.data['micro-dev-infra.yaml']).registry).toEqual({ kind: 'etcd', address: endpoints });
  });

  it('the default topology equals the golden files (MICRO_DEV_UPDATE_GOLDEN=1 rewrites them)', async () => {
    const { files } = await renderKubernetes({ configFile: join(repoRoot, 'micro.dev.yaml'), nodeImage: 'micro-dev/node:24' });
    if (process.env.MICRO_DEV_UPDATE_GOLDEN === '1') {
      await rm(GOLDEN, { recursive: true, force: true });
      await mkdir(GOLDEN, { recursive: true });
      for (const [name, text] of files) await writeFile(join(GOLDEN, name), text);
    }
    expect((await readdir(GOLDEN)).sort()).toEqual([...files.keys()].sort());
    for (const [name, text] of files) {
      expect(text, `${name} differs from test/export/golden/kubernetes/${name}; review the change, then MICRO_DEV_UPDATE_GOLDEN=1 npx vitest run test/export/kubernetes-export.test.ts`).toBe(await readFile(join(GOLDEN, name), 'utf8'));
    }
  });

  it('the CLI writes the manifests, the kustomization and the build context, and rejects a bad namespace', async () => {
    const out = await mkdtemp(join(tmpdir(), 'micro-dev-export-k8s-'));
    try {
      const ok = await runCli(['export', 'kubernetes', '-o', out, '--namespace', 'shop']);
      expect(ok.code).toBe(0);
      const written = await readdir(out);
      expect(written).toEqual(expect.arrayContaining(['kustomization.yaml', 'registry.yaml', 'gateway.yaml', 'greeter-srv.yaml', 'namespace.yaml', 'topology.yaml', 'build-images.sh', 'app']));
      expect(existsSync(join(out, 'app/Dockerfile'))).toBe(true);
      expect(existsSync(join(out, 'app/services/greeter-srv/main.ts'))).toBe(true);
      expect(existsSync(join(out, 'app/node_modules/yaml/package.json'))).toBe(true);
      // Dev tooling stays out of the image.
      expect(existsSync(join(out, 'app/node_modules/vitest'))).toBe(false);
      expect(existsSync(join(out, 'app/node_modules/typescript'))).toBe(false);

      // Where kubectl is installed (here: google-cloud-sdk's), kustomize must build the folder as written.
      // `kubectl apply --dry-run=client` is not run: without an API server it fails on discovery, even
      // with --validate=false (the schemas above are the offline check).
      const kubectl = await run('kubectl', ['kustomize', out], { timeout: 60_000 }).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      if (kubectl) expect(kubectl.stdout).toContain('name: micro-dev-registry');

      const bad = await runCli(['export', 'kubernetes', '-o', out, '--namespace', 'Not_OK']);
      expect(bad.code).toBe(2);
      expect(bad.output).toContain('--namespace Not_OK: a namespace is at most 63 lowercase letters');
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
