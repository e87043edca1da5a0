/**
 * `micro-dev new service` end to end, as a user runs it in their own project: the CLI writes a Go and a
 * Python service into services/NAME/ and adds them to micro.dev.yaml (the user's comments and spacing
 * kept), refuses to overwrite and rejects a bad name or language with exit 2; then `micro-dev up` starts
 * them and each answers through the gateway and through the proxy (`micro-dev call`).
 * The TypeScript template imports `micro-dev-orchestrator/kit`: here the project's node_modules holds a
 * stand-in package whose `./kit` export is the checkout's kit (the packed package is tested on its own).
 */
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, repoRoot, runCli, writeTopology } from '../support/cli-process.ts';

/** node_modules/micro-dev-orchestrator with `./kit` -> the checkout's services/kit (its real path is outside node_modules). */
async function kitStandIn(projectDir: string): Promise<void> {
  const pkg = join(projectDir, '.kit-stand-in');
  await mkdir(pkg, { recursive: true });
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'micro-dev-orchestrator', type: 'module', exports: { './kit': './kit/index.ts' } }));
  await symlink(join(repoRoot, 'services/kit'), join(pkg, 'kit'));
  await mkdir(join(projectDir, 'node_modules'), { recursive: true });
  await symlink(pkg, join(projectDir, 'node_modules/micro-dev-orchestrator'));
}

/**
 * Posts `count` go-micro RPCs one after another on one keep-alive raw socket and returns the first chunk of
 * each answer. From the second call on, the caller delays its ACKs: a body written apart from its headers
 * then waits for that ACK under Nagle, so its answer's first chunk holds the headers only.
 */
function firstChunksOfAnswers(host: string, port: number, count: number): Promise<string[]> {
  const body = '{"name":"Raw"}';
  const request = `POST / HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nMicro-Endpoint: Greeter.Hello\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const firsts: string[] = [];
  let answer = '';
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(request));
    socket.on('data', (chunk) => {
      if (answer === '') firsts.push(chunk.toString('utf8'));
      answer += chunk.toString('utf8');
      const end = answer.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(answer)?.[1] ?? Number.NaN);
      if (end < 0 || answer.length < end + 4 + length) return;
      answer = '';
      if (firsts.length < count) socket.write(request);
      else {
        socket.destroy();
        resolve(firsts);
      }
    });
    socket.once('error', reject);
  });
}

let up: CliProcess | undefined;
afterAll(async () => {
  up?.child.kill('SIGTERM');
  await up?.exited;
});

describe('micro-dev new service', () => {
  it('writes go, python and ts services that up starts and that answer, and refuses bad input', { timeout: 240_000 }, async () => {
    // The user's project: no service yet besides a comment, ports of its own.
    const project = await writeTopology('  # my services go here\n', 'new-service');
    const userText = await readFile(project.file, 'utf8');

    const go = await runCli(['new', 'service', 'orders', '--lang', 'go'], project.dir);
    expect(go.code, go.output).toBe(0);
    expect(go.output).toContain('wrote services/orders/go.mod\nwrote services/orders/main.go\n');
    expect(go.output).toContain('added services.orders to micro.dev.yaml (registers go.micro.api.orders)');
    expect(go.output).toContain(`curl 'http://127.0.0.1:${project.ports.gateway}/orders/say/hello?name=John'`);
    expect(go.output).toContain('npx micro-dev up');

    const py = await runCli(['new', 'service', 'billing', '--lang', 'python'], project.dir);
    expect(py.code, py.output).toBe(0);
    expect(await readdir(join(project.dir, 'services/billing'))).toEqual(['main.py']);

    const yaml = await readFile(project.file, 'utf8');
    // Every line of the user's file is still there, as written and in order; only the two entries were added.
    const lines = yaml.split('\n');
    let i = 0;
    for (const line of userText.split('\n')) i = lines.indexOf(line, i) + 1 || Number.NaN;
    expect(i, yaml).not.toBeNaN();
    expect(lines.length).toBe(userText.split('\n').length + 7 + 6); // orders: comment, key, 5 keys; billing: blank, comment, key, 3 keys
    expect(yaml).toContain('  # orders (go): go.micro.api.orders, written by micro-dev new service');
    expect(yaml).toContain('  billing:\n    runtime: process\n    cwd: services/billing\n    command: python3 -u main.py\n');

    // Never overwrite; bad names and languages are exit 2 with the reason.
    const again = await runCli(['new', 'service', 'orders', '--lang', 'python'], project.dir);
    expect(again.code).toBe(2);
    expect(again.output).toContain('services/orders already exists; nothing was written');
    const badName = await runCli(['new', 'service', 'Orders_API', '--lang', 'go'], project.dir);
    expect(badName.code).toBe(2);
    expect(badName.output).toContain('"Orders_API" is not a usable name');
    const badLang = await runCli(['new', 'service', 'stock', '--lang', 'golang'], project.dir);
    expect(badLang.code).toBe(2);
    expect(badLang.output).toContain('unknown --lang "golang" (did you mean "go"?)');
    expect(await readFile(project.file, 'utf8')).toBe(yaml);

    const ts = await runCli(['new', 'service', 'cart', '--lang', 'ts'], project.dir);
    expect(ts.code, ts.output).toBe(0);
    expect(ts.output).toContain('wrote services/cart/main.ts');
    expect(ts.output).toContain('note: the service imports micro-dev-orchestrator/kit');
    await kitStandIn(project.dir);

    up = new CliProcess(['up', '--no-tui'], { cwd: project.dir });
    await up.waitFor('micro-dev ready', 180_000);
    expect(up.output).toContain('reload on save: orders (build first), billing, cart');
    for (const name of ['orders', 'billing', 'cart']) {
      const res = await fetch(`http://127.0.0.1:${project.ports.gateway}/${name}/say/hello?name=John`);
      expect(await res.text()).toBe(`{"message":"Hello John from ${name}"}`);
      const call = await runCli(['call', `go.micro.api.${name}`, 'Greeter.Hello', '{"name":"Proxy"}'], project.dir);
      expect(call.code, call.output).toBe(0);
      expect(JSON.parse(call.output)).toEqual({ msg: `Hello Proxy from ${name}` });
      // The whole answer (status line, headers, body) leaves in one write: a body sent as a second small
      // write waits for the caller's delayed ACK under Nagle (40 ms per call in Python's http.server).
      const [node] = (await (await fetch(`http://127.0.0.1:${project.ports.registry}/v1/health/service/go.micro.api.${name}?passing=1`)).json()) as { Service: { Address: string; Port: number } }[];
      const firsts = await firstChunksOfAnswers(node!.Service.Address, node!.Service.Port, 4);
      for (const first of firsts) expect(first, name).toMatch(/^HTTP\/1\.1 200 [^]*\r\n\r\n\{"msg":"Hello Raw from [a-z]+"\}\n?$/);
    }
  });
});
