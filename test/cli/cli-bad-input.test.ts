/**
 * Bad input through the real CLI, nothing running: every answer is a clear `micro-dev: ...` line (plus hints),
 * the documented exit code (0 ok, 1 ran and failed, 2 could not run), and never a stack trace (every output
 * is pinned whole).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli-process.ts';
import { commands } from '../../runner/cli/command-table.ts';
import { runFileExists, writeSmallTopology } from './cli-topology.ts';

const fixtures = 'test/fixtures/config';

/** The fixture README's table: file -> the exact lines `validate` prints (`<repo>` = the checkout). */
function documentedProblems(): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const row of readFileSync(join(repoRoot, fixtures, 'README.md'), 'utf8').split('\n')) {
    const match = /^\| `([\w-]+\.yaml)` \| (.*) \|$/.exec(row);
    if (!match) continue;
    const lines = [...match[2].matchAll(/`([^`]+)`/g)].map((m) => m[1].replaceAll('<repo>/', repoRoot));
    table.set(match[1], lines);
  }
  return table;
}

describe('micro-dev validate', () => {
  const table = documentedProblems();

  it('knows every fixture from the README', () => {
    expect([...table.keys()].sort()).toEqual([
      'dependency-cycle.yaml',
      'duplicate-port.yaml',
      'missing-module.yaml',
      'syntax-error.yaml',
      'unknown-key.yaml',
      'valid.yaml',
    ]);
  });

  it('prints exactly the README lines for each broken fixture (exit 2, as up) and "ok" for the valid one (exit 0)', async () => {
    const results = await Promise.all(
      [...table].map(async ([name, lines]) => ({ name, lines, ...(await runCli(['validate', '-c', `${fixtures}/${name}`])) })),
    );
    for (const { name, lines, code, output } of results) {
      if (name === 'valid.yaml') {
        expect({ name, code, output }).toEqual({ name, code: 0, output: `${fixtures}/valid.yaml: ok\n` });
      } else {
        expect(lines.length).toBeGreaterThan(0);
        expect({ name, code, output }).toEqual({ name, code: 2, output: lines.map((l) => `${l}\n`).join('') });
      }
    }
  });

  it('says a missing file is missing (CONFIG_NOT_FOUND, exit 2)', async () => {
    const { code, output } = await runCli(['validate', '-c', 'no-such-dir/micro.dev.yaml']);
    expect(code).toBe(2);
    expect(output).toBe('micro-dev: config file no-such-dir/micro.dev.yaml not found\n');
  });
});

describe('micro-dev up with a broken config', () => {
  it('fails fast with FILE:LINE:COL (exit 2) and starts nothing', async () => {
    const { code, output } = await runCli(['up', '-c', `${fixtures}/unknown-key.yaml`, '--no-tui']);
    expect(code).toBe(2);
    const lines = documentedProblems().get('unknown-key.yaml')!;
    const file = `./${fixtures}/unknown-key.yaml`;
    expect(output).toBe(
      `micro-dev: ${lines.join('\n')}\n  hint: 2 problems in ${file}; \`micro-dev validate -c ${file}\` lists them again\n`,
    );
    expect(existsSync(join(repoRoot, fixtures, '.micro-dev'))).toBe(false);
  });

  it('says a missing config is missing (exit 2)', async () => {
    const { code, output } = await runCli(['up', '-c', 'no-such-dir/micro.dev.yaml', '--no-tui']);
    expect(code).toBe(2);
    expect(output).toBe(
      'micro-dev: config file ./no-such-dir/micro.dev.yaml not found; pass another with -c FILE, or run in the folder that holds micro.dev.yaml\n' +
        '  hint: the default topology is micro.dev.yaml at the repository root\n',
    );
  });
});

describe('micro-dev usage', () => {
  it('suggests the nearest command for a typo (exit 2)', async () => {
    const { code, output } = await runCli(['upp']);
    expect(code).toBe(2);
    expect(output.split('\n')[0]).toBe('micro-dev: unknown command "upp" (did you mean "up"?)');
    expect(output).toContain('Usage:');
  });

  it('names an unknown flag (exit 2)', async () => {
    const { code, output } = await runCli(['up', '--nope']);
    expect(code).toBe(2);
    expect(output).toBe('micro-dev: up: unknown option --nope\n  hint: micro-dev up --help shows the options\n');
  });

  it('prints usage for COMMAND --help, for every command (exit 0)', async () => {
    const results = await Promise.all(commands.map(async (c) => ({ c, ...(await runCli([c.name, '--help'])) })));
    for (const { c, code, output } of results) {
      expect({ command: c.name, code }).toEqual({ command: c.name, code: 0 });
      expect(output).toBe(`${c.usage}\n\n${c.help}\n`);
    }
  });

  it('prints the overview for --help (exit 0) and for no command at all (exit 2)', async () => {
    const [help, bare] = await Promise.all([runCli(['--help']), runCli([])]);
    expect(help.code).toBe(0);
    expect(bare.code).toBe(2);
    expect(help.output).toContain('Usage:');
    // One line per command, its name then its summary, and the whole overview fits 80 columns.
    const width = Math.max(...commands.map((c) => c.name.length));
    for (const c of commands) expect(help.output).toContain(`\n  ${c.name.padEnd(width)}  ${c.summary}\n`);
    for (const line of help.output.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(bare.output).toBe(help.output);
  });

  it('prints the version (exit 0)', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const { code, output } = await runCli(['--version']);
    expect({ code, output }).toEqual({ code: 0, output: `micro-dev ${version}\n` });
  });
});

describe('micro-dev call / status / ui / publish / registry with bad input or nothing running', () => {
  it('call names the JSON problem (exit 2)', async () => {
    const { code, output } = await runCli(['call', 'go.micro.srv.greeter', 'Say.Hello', '{name:"John"}']);
    expect(code).toBe(2);
    expect(output).toBe(
      'micro-dev: call: the request is not valid JSON (Expected property name or \'}\' in JSON at position 1 (line 1 column 2)): {name:"John"}\n',
    );
  });

  it('call with too few arguments shows how to call (exit 2)', async () => {
    const { code, output } = await runCli(['call', 'go.micro.srv.greeter']);
    expect(code).toBe(2);
    expect(output).toBe(
      'micro-dev: call needs SERVICE ENDPOINT [JSON], e.g. micro-dev call go.micro.srv.greeter Say.Hello \'{"name":"John"}\'\n',
    );
  });

  it('call, status, publish and registry status say micro-dev up is not running, with the hint to start it (exit 1)', async () => {
    const topo = await writeSmallTopology();
    const c = ['-c', topo.file];
    const [call, status, publish, registry] = await Promise.all([
      runCli(['call', 'go.micro.srv.greeter', 'Say.Hello', '{}', ...c]),
      runCli(['status', ...c]),
      runCli(['publish', 'topic.a', '{"a":1}', ...c]),
      runCli(['registry', 'status', ...c]),
    ]);
    const hint = `  hint: start it with: npx micro-dev up -c ${topo.file}\n`;
    expect(call.code).toBe(1);
    expect(call.output).toBe(
      `micro-dev: call go.micro.srv.greeter Say.Hello: micro-dev up is not running for ${topo.file} and nothing answers at the proxy 127.0.0.1:${topo.ports.proxy} (connection refused)\n${hint}`,
    );
    expect(status.code).toBe(1);
    expect(status.output).toBe(`micro-dev: micro-dev up is not running for ${topo.file}\n${hint}`);
    expect(publish.code).toBe(1);
    expect(publish.output).toBe(`micro-dev: publish needs a running micro-dev up (the broker lives in it)\n${hint}`);
    expect(registry.code).toBe(1);
    expect(registry.output).toBe(
      `micro-dev: the registry at 127.0.0.1:${topo.ports.registry} is not answering (connection refused)\n${hint}`,
    );
    expect(runFileExists(topo)).toBe(false);
  });

  it('ui without a terminal says so before anything else (exit 2)', async () => {
    const { code, output } = await runCli(['ui']);
    expect(code).toBe(2);
    expect(output).toBe('micro-dev: ui needs a terminal (stdin and stdout); use micro-dev status for plain output\n');
  });
});
