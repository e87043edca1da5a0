import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dependencyClosure } from './dependency-closure.ts';
import { APP_MARKER, stageAppContext } from './stage-app-context.ts';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function put(file: string, text = ''): Promise<void> {
  await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
  await writeFile(path.join(dir, file), text);
}
const pkg = (name: string, deps: Record<string, string> = {}, extra: object = {}) => JSON.stringify({ name, version: '1.0.0', dependencies: deps, ...extra });

/** A project: a runtime dependency with a nested and a hoisted dependency of its own, a missing optional one, a dev one. */
async function project(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'micro-dev-stage-'));
  await put('project/package.json', pkg('shop', { lib: '1' }, { devDependencies: { tooling: '1' }, optionalDependencies: { absent: '1' } }));
  await put('project/services/orders/main.ts', 'export {};');
  await put('project/node_modules/lib/package.json', pkg('lib', { nested: '1', hoisted: '1' }));
  await put('project/node_modules/lib/node_modules/nested/package.json', pkg('nested'));
  await put('project/node_modules/lib/node_modules/unused/package.json', pkg('unused'));
  await put('project/node_modules/hoisted/package.json', pkg('hoisted'));
  await put('project/node_modules/tooling/package.json', pkg('tooling'));
  await put('project/.git/HEAD', 'ref');
  await put('micro-dev/package.json', pkg('micro-dev-orchestrator', { yaml: '2' }));
  await put('micro-dev/bin/micro-dev.js', '');
  await put('micro-dev/node_modules/yaml/package.json', pkg('yaml'));
  await put(`project/deploy/kubernetes/app/${APP_MARKER}`);
  await put('project/deploy/kubernetes/app/services/orders/main.ts', 'export {};');
  await put('project/deploy/kubernetes/kustomization.yaml', 'kind: Kustomization');
  return path.join(dir, 'project');
}

describe('dependencyClosure', () => {
  it('follows dependencies as Node resolves them, skips dev and missing optional ones', async () => {
    const root = await project();
    const found = (await dependencyClosure(root)).map((p) => path.relative(root, p)).sort();
    expect(found).toEqual(['node_modules/hoisted', 'node_modules/lib', 'node_modules/lib/node_modules/nested']);
  });

  it('names a missing required dependency', async () => {
    const root = await project();
    await rm(path.join(root, 'node_modules/hoisted'), { recursive: true });
    await expect(dependencyClosure(root)).rejects.toThrow('lib needs hoisted, which is not installed under');
  });
});

describe('stageAppContext', () => {
  it('copies the project and its runtime packages, not dev tooling, .git, or another staged copy', async () => {
    const root = await project();
    const out = path.join(root, 'deploy/compose');
    const staged = await stageAppContext(root, out, path.join(dir, 'micro-dev'));
    const has = (p: string) => existsSync(path.join(staged.dir, p));
    expect(has('services/orders/main.ts')).toBe(true);
    expect(has('node_modules/lib/package.json')).toBe(true);
    expect(has('node_modules/lib/node_modules/nested/package.json')).toBe(true);
    expect(has('node_modules/hoisted/package.json')).toBe(true);
    expect(has('node_modules/lib/node_modules/unused')).toBe(false);
    expect(has('node_modules/tooling')).toBe(false);
    expect(has('.git')).toBe(false);
    expect(has('deploy/kubernetes/kustomization.yaml')).toBe(true);
    expect(has('deploy/kubernetes/app')).toBe(false);
    expect(has('deploy/compose')).toBe(false);
    expect(await readFile(path.join(staged.dir, 'Dockerfile'), 'utf8')).toContain('FROM ${BASE_IMAGE}');
    expect(await readFile(path.join(out, '.gitignore'), 'utf8')).toContain('app/');
    // micro-dev itself is not this project: it travels under node_modules.
    expect(staged.microDevBin).toBe('/app/node_modules/micro-dev-orchestrator/bin/micro-dev.js');
    expect(has('node_modules/micro-dev-orchestrator/bin/micro-dev.js')).toBe(true);
    expect(has('node_modules/yaml/package.json')).toBe(true);

    // Again: the earlier copy is replaced, not nested.
    const again = await stageAppContext(root, out, path.join(dir, 'micro-dev'));
    expect(existsSync(path.join(again.dir, 'deploy'))).toBe(true);
    expect(existsSync(path.join(again.dir, 'deploy/compose'))).toBe(false);
  });
});
