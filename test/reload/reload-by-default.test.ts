/**
 * Reload by default, through `micro-dev up` as a user runs it (examples/polyglot in a temp folder, no
 * `watch:` on the TypeScript worker or the Python service): the plain log says which services reload on
 * save; a save of the worker and of the Go service (rebuilt by `go build` first) swaps in the new version
 * with no failed request under load; a save that breaks the Go build keeps the old binary serving and
 * prints the compiler's error.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess } from '../support/cli-process.ts';
import { copyPolyglotExample, type PolyglotCopy } from '../examples/polyglot-copy.ts';
import { steadyLoad } from './steady-load.ts';

let copy: PolyglotCopy;
let up: CliProcess;
const gateway = () => `http://127.0.0.1:${copy.ports.gateway}`;

beforeAll(async () => {
  copy = await copyPolyglotExample();
  up = new CliProcess(['up', '--no-tui', '-c', copy.file]);
  await up.waitFor('micro-dev ready', 180_000);
  await up.waitFor(/reload +polyglot-api watching/, 30_000);
}, 240_000);
afterAll(async () => {
  up?.child.kill('SIGTERM');
  await up?.exited;
});

/** Count of `line` in the output so far, to wait for the next one. */
const count = (pattern: RegExp) => (up.output.match(new RegExp(pattern, 'gm')) ?? []).length;
async function nextLine(pattern: RegExp, save: () => Promise<void>, timeoutMs = 60_000): Promise<void> {
  const before = count(pattern);
  await save();
  const deadline = Date.now() + timeoutMs;
  while (count(pattern) <= before) {
    if (Date.now() > deadline) throw new Error(`no new ${pattern} within ${timeoutMs} ms; output:\n${up.output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function edit(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  expect(text).toContain(from);
  await writeFile(file, text.replace(from, to));
}

describe('reload by default (micro-dev up)', () => {
  it('says which services reload on save, and which do not', () => {
    expect(up.output).toContain('reload on save: hello-go (build first), hello-py, polyglot-api; not watched: greeter-srv');
    expect(up.output).toMatch(/reload +hello-py watching services\/hello-py/);
  });

  it('a worker with no watch: key reloads on save, 0 failed requests under load', { timeout: 120_000 }, async () => {
    const url = `${gateway()}/polyglot/say/hello?name=L`;
    const load = steadyLoad(url, { ratePerSecond: 10, maxRequests: 2000, timeoutMs: 15_000 });
    await load.sendMore(3); // traffic before the save, across the swap, and after it (a quiet machine swaps in < 1 s)
    await nextLine(/polyglot-api reloaded: 1 replica/, () =>
      edit(join(copy.dir, 'services/polyglot-api/main.ts'), 'return { greeter, go, python };', "return { greeter, go, python, version: 2 };"),
    );
    expect(await (await fetch(url)).json()).toMatchObject({ version: 2, go: 'Hello L from hello-go' });
    await load.sendMore(3);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.sent).toBeGreaterThan(5);
  });

  it('the Go service is rebuilt (go build) and swapped, 0 failed requests under load', { timeout: 120_000 }, async () => {
    const url = `${gateway()}/hello-go/say/hello?name=L`;
    const load = steadyLoad(url, { ratePerSecond: 20, maxRequests: 4000, timeoutMs: 15_000 });
    await load.sendMore(3); // traffic before the save (the old version's answers), across the swap and after it
    await nextLine(/hello-go reloaded: 1 replica/, () =>
      edit(join(copy.dir, 'services/hello-go/main.go'), 'return "Hello " + name + " from " + shortName', 'return "Hello " + name + " from " + shortName + " v2"'),
    );
    expect(up.output).toContain('hello-go build: go build -o bin/hello-go .');
    expect(await (await fetch(url)).text()).toBe('{"message":"Hello L from hello-go v2"}');
    // the load's own requests must see the new version too: it had sent none since the swap once (CI)
    await load.sendMore(5);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.bodies).toContain('{"message":"Hello L from hello-go"}');
    expect(result.bodies).toContain('{"message":"Hello L from hello-go v2"}');
  });

  it('a save that breaks the Go build keeps the old version serving and shows the compiler error', { timeout: 120_000 }, async () => {
    const url = `${gateway()}/hello-go/say/hello?name=L`;
    const load = steadyLoad(url, { ratePerSecond: 20, maxRequests: 4000, timeoutMs: 15_000 });
    await nextLine(/hello-go build "go build -o bin\/hello-go \." exited with code \d+: \.\/main\.go:\d+:\d+: undefined: notDeclared; previous version still serving/, () =>
      edit(join(copy.dir, 'services/hello-go/main.go'), '" v2"', '" v3" + notDeclared'),
    );
    expect(up.output).toMatch(/hello-go build \| \.\/main\.go:\d+:\d+: undefined: notDeclared/);
    expect(await (await fetch(url)).text()).toBe('{"message":"Hello L from hello-go v2"}');
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(new Set(result.bodies)).toEqual(new Set(['{"message":"Hello L from hello-go v2"}']));
  });
});
