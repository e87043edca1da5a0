import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTopology, validateTopologyFile } from '../config/load-topology.ts';
import { isMicroDevError } from '../errors/micro-dev-error.ts';
import { initProject } from './init-project.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'micro-dev-init-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('initProject', () => {
  it('writes a valid topology and the sample service it names', async () => {
    const config = path.join(dir, 'micro.dev.yaml');
    const written = await initProject(config);
    expect(written.map((w) => path.relative(dir, w.file))).toEqual(['micro.dev.yaml', 'services/hello/main.ts', 'services/hello/package.json']);
    expect(await validateTopologyFile(config)).toEqual([]);
    const topology = await loadTopology(config);
    expect(topology.services.map((s) => [s.name, s.runtime, s.module])).toEqual([
      ['hello', 'worker', path.join(dir, 'services/hello/main.ts')],
    ]);
    expect([topology.registry.port, topology.gateway.port, topology.proxy.port, topology.web.port, topology.faults.port]).toEqual([
      8500, 8080, 8081, 8082, 8474,
    ]);
    // The gateway answers the sample the way `new service` services expect: api handler, go.micro.api.
    expect([topology.gateway.handler, topology.gateway.namespace]).toEqual(['api', 'go.micro.api']);
    const sample = readFileSync(path.join(dir, 'services/hello/main.ts'), 'utf8');
    expect(sample).toContain("import { MicroError, newService } from 'micro-dev-orchestrator/kit';");
    expect(sample).toContain("const SERVICE = 'go.micro.api.hello';");
  });

  it("points the editor schema at the package's JSON schema, relative to the topology", async () => {
    const config = path.join(dir, 'micro.dev.yaml');
    await initProject(config);
    const schema = /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(config, 'utf8'))?.[1];
    expect(schema).toBeDefined();
    expect(path.isAbsolute(schema!)).toBe(false);
    const target = path.resolve(dir, schema!);
    expect(target.endsWith('micro.dev.schema.json')).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).title).toBe('micro-dev topology (micro.dev.yaml)');
  });

  it('refuses to overwrite and then writes nothing at all (FILE_EXISTS)', async () => {
    const config = path.join(dir, 'micro.dev.yaml');
    await writeFile(config, 'mine\n');
    const error = await initProject(config).catch((e: unknown) => e);
    expect(isMicroDevError(error) && error.code).toBe('FILE_EXISTS');
    expect((error as Error).message).toMatch(/micro\.dev\.yaml already exists; nothing was written$/);
    expect(readFileSync(config, 'utf8')).toBe('mine\n');
    expect(existsSync(path.join(dir, 'services'))).toBe(false);
  });
});
