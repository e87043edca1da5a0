/**
 * The dashboard in a real terminal: `micro-dev up` inside tmux (a real pty), keys sent as a user types
 * them, the screen read back with capture-pane. Skipped, with a message, when tmux is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunFile } from '../../runner/control/run-file.ts';
import { binPath, eventually, processesWith, repoRoot, runCli, writeTestTopology } from '../support/cli-process.ts';
import { tmux } from '../support/tmux.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
// CI installs tmux and sets MICRO_DEV_REQUIRE_TMUX=1, so this test cannot rot into a silent skip there.
const required = process.env.MICRO_DEV_REQUIRE_TMUX === '1';
if (!hasTmux && !required) console.warn('dashboard-tmux.test.ts skipped: tmux is not installed (apt-get install -y tmux)');

describe.runIf(!hasTmux && required)('tmux is required (MICRO_DEV_REQUIRE_TMUX=1)', () => {
  it('is installed', () => {
    expect.fail('MICRO_DEV_REQUIRE_TMUX=1 but tmux is not installed: apt-get install -y tmux');
  });
});

const sockets: string[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) spawnSync('tmux', ['-L', socket, 'kill-server']);
});

describe.skipIf(!hasTmux)('micro-dev up in a real terminal (tmux)', () => {
  it('shows the dashboard; k kills an instance that comes back; q exits 0 leaving nothing behind', async () => {
    const topo = await writeTestTopology();
    const socket = `micro-dev-tui-${process.pid}-${Date.now()}`;
    sockets.push(socket);
    const exitFile = join(topo.dir, 'exit-code');
    const command = `cd '${repoRoot}' && env -u CI '${process.execPath}' '${binPath}' up -c '${topo.file}'; echo $? > '${exitFile}'`;
    tmux(socket, 'new-session', '-d', '-s', 'dash', '-x', '120', '-y', '40', command);
    const screen = () => tmux(socket, 'capture-pane', '-p', '-t', 'dash');
    // Failures show the screen as it was: that is what a user would have seen.
    const until = (check: () => Promise<boolean>, ms: number, what: string) =>
      eventually(check, ms, what).catch((e: Error) => {
        throw new Error(`${e.message}\n--- screen ---\n${screen()}`);
      });

    await until(async () => /Services 4\/4 ready/.test(screen()), 45_000, 'the dashboard showing 4/4 ready');
    const info = await readRunFile(topo.file);
    expect(info?.pid).toBeGreaterThan(0);
    expect(screen()).toMatch(/greeter-srv-2\s+ready\s+127\.0\.0\.1:\d+/);

    // Move the selection to greeter-srv-1 one key at a time, waiting for each move to show (the screen is
    // drawn at most every 100 ms: keys sent faster than that would overshoot).
    const order = ['greeter-web-1', 'greeter-api-1', 'greeter-srv-1', 'greeter-srv-2'];
    const selected = () => /^> (\S+)/m.exec(screen())?.[1];
    await until(
      async () => {
        const now = selected();
        if (now === 'greeter-srv-1') return true;
        tmux(socket, 'send-keys', '-t', 'dash', order.indexOf(now ?? '') > order.indexOf('greeter-srv-1') ? 'Up' : 'Down');
        await eventually(async () => selected() !== now, 2_000, 'the selection to move');
        return false;
      },
      10_000,
      'greeter-srv-1 selected',
    );
    tmux(socket, 'send-keys', '-t', 'dash', 'k');
    const restarted = await eventually(
      async () => {
        const status = await runCli(['status', '--json', '-c', topo.file]);
        const srv = JSON.parse(status.output).instances.find((i: { instance: string }) => i.instance === 'greeter-srv-1');
        return srv.restarts >= 1 && srv.state === 'ready' ? srv : undefined;
      },
      20_000,
      'greeter-srv-1 killed and ready again',
    );
    expect(restarted.restarts).toBe(1);
    await until(async () => /> greeter-srv-1\s+ready/.test(screen()), 5_000, 'the pane showing greeter-srv-1 ready again');
    expect(screen()).toContain('Services 4/4 ready');

    tmux(socket, 'send-keys', '-t', 'dash', 'q');
    // the pane's shell creates the file before it writes the code into it: wait for the code
    await until(async () => existsSync(exitFile) && readFileSync(exitFile, 'utf8').trim() !== '', 15_000, 'micro-dev up to exit after q');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    expect(existsSync(`/proc/${info!.pid}`)).toBe(false);
    // The pane's shell writes the exit code, then exits itself: on a loaded machine it can still be there when
    // the file appears (its command line names the config). Wait for the pane to close, then look: a process
    // micro-dev left behind outlives the pane, so this hides nothing.
    await until(async () => spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'dash']).status !== 0, 10_000, 'the pane to close after micro-dev exited');
    // The tmux server's own command line names the config too; it is not micro-dev's.
    const leftovers = (await processesWith(topo.file)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'tmux';
      } catch {
        return false;
      }
    });
    // Each leftover as pid, state, parent pid, name and command line: enough to tell what it was.
    const described = leftovers.map((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        return `${pid} ${state} ppid ${ppid} ${comm}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`;
      } catch {
        return `${pid} (gone while described)`;
      }
    });
    expect(described).toEqual([]);
  }, 90_000);
});
