/**
 * Hot reload with a build step and cascade: the build runs before the reload with its output in the lines;
 * a failing build keeps the old version serving and puts the build error on the instances; with cascade,
 * the dependents (greeter-api) reload after the service; ignored files and editor noise reload nothing.
 */
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/cli-process.ts';
import { startReloadFixture, type ReloadFixture } from './reload-fixture.ts';

// The "build": a type-check stand-in that fails on a marker, so a file that would run fine still fails it.
const CHECK = `import { readFileSync } from 'node:fs';
console.log('checking greeter-srv/main.ts');
if (readFileSync('greeter-srv/main.ts', 'utf8').includes('BUILD_FAIL')) {
  console.error('main.ts(3,1): error TS2304: Cannot find name BUILD_FAIL.');
  process.exit(2);
}
console.log('build ok');
`;

let f: ReloadFixture;

beforeAll(async () => {
  f = await startReloadFixture({
    runtime: 'worker',
    replicas: 1,
    build: `${JSON.stringify(process.execPath)} check.mjs`,
    cascade: true,
    ignore: ['*.log'],
    files: { 'check.mjs': CHECK, 'greeter-srv/node_modules/dep/index.js': '', 'greeter-srv/notes.log': '' },
  });
});
afterAll(async () => {
  await f?.close();
});

const answers = (greeting: string) => `{"message":"${greeting} John"}`;
const srvRunAfter = async (savedAt: number) =>
  eventually(async () => f.events.find((e) => e.service === 'greeter-srv' && e.startedAt > savedAt), 15_000, 'a greeter-srv run after the save');
const lastError = (instance: string) => f.orchestrator.snapshot().instances.find((i) => i.instance === instance)?.lastError;

describe('hot reload: build and cascade', () => {
  it('runs the build first (its output in the lines), then reloads the service and its dependents', async () => {
    const savedAt = performance.now();
    await f.edit('Built');
    const run = await srvRunAfter(savedAt);
    expect(run).toMatchObject({ outcome: 'reloaded', replaced: 1 });
    expect(run.buildMs).toBeGreaterThan(0);
    expect(f.lines).toContain('greeter-srv build | build ok');
    const cascade = await eventually(async () => f.events.find((e) => e.service === 'greeter-api' && e.startedAt > savedAt), 15_000, 'greeter-api to reload');
    expect(cascade).toMatchObject({ reason: 'cascade from greeter-srv', outcome: 'reloaded', replaced: 1 });
    expect(await f.hello()).toEqual({ status: 200, body: answers('Built') });
  });

  it('a failing build keeps the old version serving and reports the build error on the instance', async () => {
    const savedAt = performance.now();
    await f.writeRaw(f.source('Unbuilt') + '\n// BUILD_FAIL\n');
    const run = await srvRunAfter(savedAt);
    expect(run).toMatchObject({ outcome: 'build-failed', replaced: 0 });
    expect(lastError('greeter-srv-1')).toMatch(/^build ".*check\.mjs" exited with code 2: main\.ts\(3,1\): error TS2304: Cannot find name BUILD_FAIL\.; previous version still serving$/);
    expect(await f.hello()).toEqual({ status: 200, body: answers('Built') });
    // No cascade after a failed build.
    expect(f.events.filter((e) => e.service === 'greeter-api' && e.startedAt > savedAt)).toEqual([]);

    const fixedAt = performance.now();
    await f.edit('Fixed');
    expect(await srvRunAfter(fixedAt)).toMatchObject({ outcome: 'reloaded' });
    expect(lastError('greeter-srv-1')).toBeUndefined();
    expect(await f.hello()).toEqual({ status: 200, body: answers('Fixed') });
  });

  it('ignored paths and editor noise reload nothing', async () => {
    const linesBefore = f.lines.length;
    await appendFile(join(f.dir, 'greeter-srv/node_modules/dep/index.js'), 'x;\n');
    await appendFile(join(f.dir, 'greeter-srv/notes.log'), 'note\n');
    await appendFile(join(f.dir, 'greeter-srv/.main.ts.swp'), 'swap\n');
    await appendFile(join(f.dir, 'greeter-srv/4913'), '');
    const savedAt = performance.now();
    await f.edit('Quiet');
    await srvRunAfter(savedAt);
    const changed = f.lines.slice(linesBefore).filter((l) => l.includes('changed:'));
    expect(changed).toEqual(['greeter-srv changed: greeter-srv/main.ts']);
  });
});

describe('hot reload: a worker loads its imports fresh', () => {
  it('an edit to a module the service imports (not the entry file) is served after the reload', async () => {
    const helper = join(f.dir, 'greeter-srv/greeting.ts');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(helper, "export const greeting = 'Imported';\n");
    const entry = f
      .source('X')
      .replace('"X "', 'greeting + " "')
      .replace('const service', "import { greeting } from './greeting.ts';\nconst service");
    let savedAt = performance.now();
    await f.writeRaw(entry);
    expect(await srvRunAfter(savedAt)).toMatchObject({ outcome: 'reloaded' });
    expect(await f.hello()).toEqual({ status: 200, body: answers('Imported') });

    savedAt = performance.now();
    await writeFile(helper, "export const greeting = 'Reimported';\n");
    expect(await srvRunAfter(savedAt)).toMatchObject({ outcome: 'reloaded' });
    expect(await f.hello()).toEqual({ status: 200, body: answers('Reimported') });
  });
});
