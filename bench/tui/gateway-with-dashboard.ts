/**
 * Gateway throughput with the dashboard open (issue target: at least 0.9 of the same run without it).
 *
 *   dashboard:    tmux pane (private socket, 120x40 pty) ── micro-dev up -c <greeter topology A>
 *   no-tui:       micro-dev up -c <greeter topology B> --no-tui  > <temp dir>/up.log   (own session)
 *   pane-no-tui:  tmux pane ── micro-dev up -c <greeter topology C> --no-tui           (control arm)
 *                              ^
 *   this process (separate) ── undici Pool, closed loop, C keep-alive connections ── GET /greeter/say/hello?name=John
 *
 * Every round writes fresh greeter topologies on free ports (default registry timing), waits for readiness
 * (the dashboard's "Services 4/4 ready" / the "micro-dev ready" line), warms up, then counts only 200
 * answers whose body is exactly {"message":"Hello John"}. Every micro-dev runs in a session of its own: the
 * kernel's autogroup scheduling shares CPU per session, so one sharing the load generator's session (as a
 * plain child would) runs differently from one in a tmux pane. The control arm shows whether the harness
 * treats the pane and the file alike (pane-no-tui / no-tui ~ 1) and isolates the dashboard from "terminal
 * vs file" (dashboard / pane-no-tui). Two designs:
 *   --slice-ms M (default 500): all micro-devs up at once; load rotates between them in M ms slices until
 *                     each got --seconds, so noise from other work on the machine lands on all nearly
 *                     equally; an idle one still costs a little (a dashboard's ~1 frame/s) meanwhile.
 *   --slice-ms 0:     one micro-dev at a time, modes in turn, each loaded for --seconds. On a busy 2-core
 *                     machine one round's ratio then swings 0.5..2.5.
 * CPU per request comes from /proc/<pid>/stat (instances are worker threads of micro-dev; descendants are
 * added if any) and, for the dashboard, from the tmux server that plays the terminal; frames and bytes
 * drawn come from tmux pipe-pane. micro-dev is then stopped as a user would (q / Ctrl-C / SIGINT) and must
 * exit 0 leaving no process behind. A round where micro-dev died or requests failed is kept but marked
 * invalid and left out of the medians. Everything talks to 127.0.0.1 only.
 *
 *   node_modules/.bin/node bench/tui/gateway-with-dashboard.ts [--rounds 5] [--seconds 5] [--concurrency 32]
 *     [--warmup 1] [--slice-ms 500] [--size 120x40] [--no-control] [--cpu-prof DIR] [--out FILE]
 *     [--no-tui-in-bench-session]   (diagnostic: the no-tui child shares the load generator's session)
 *     -> JSON on stdout and in bench/results/tui-gateway.json (earlier runs' summaries kept under history)
 *   --cpu-prof DIR: micro-dev runs with node --cpu-prof (slower; the JSON then goes to DIR, not results).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { readRunFile } from '../../runner/control/run-file.ts';
import { cpuSeconds, rssMb, drive, emptyTally, median, r3, toResult, type Mode, type RoundResult, type Tally } from './gateway-load-tally.ts';
import { binPath, descendants, eventually, processesWith, repoRoot, writeTestTopology, type TestTopology } from '../../test/support/cli-process.ts';
import { tmux as tmuxOn } from '../../test/support/tmux.ts';


const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number, min = 1) => {
  const n = Number(option(name) ?? fallback);
  if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min} (got ${option(name)})`);
  return n;
};
const rounds = num('rounds', 5);
const seconds = num('seconds', 5);
const concurrency = num('concurrency', 32);
const warmupSeconds = num('warmup', 1, 0);
const sliceMs = num('slice-ms', 500, 0);
const [cols, rows] = (option('size') ?? '120x40').split('x');
const profDir = option('cpu-prof') && resolve(option('cpu-prof')!);
// The control arm (pane-no-tui): the same tmux pane, --no-tui. --no-control leaves it out.
// Diagnostic: the --no-tui child stays in this process's session (how the first version ran it).
const sharedSession = process.argv.includes('--no-tui-in-bench-session');
const modes: Mode[] = process.argv.includes('--no-control') ? ['dashboard', 'no-tui'] : ['dashboard', 'no-tui', 'pane-no-tui'];
const PATH = '/greeter/say/hello?name=John';
const EXPECTED = '{"message":"Hello John"}';
const shape = { concurrency, path: PATH, expected: EXPECTED };
const socket = `micro-dev-bench-${process.pid}`;
// Profiled runs must not replace the result.
const resultFile = option('out')
  ? pathToFileURL(resolve(option('out')!))
  : profDir
    ? pathToFileURL(join(profDir, 'tui-gateway.json'))
    : new URL('../results/tui-gateway.json', import.meta.url);
const nodeFlags = (mode: Mode, round: number) => (profDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profDir, `${mode}-${round}`)}`] : []);

if (spawnSync('tmux', ['-V']).status !== 0) {
  console.error('gateway-with-dashboard: tmux is not installed (apt-get install -y tmux)');
  process.exit(2);
}

const tmux = (...args: string[]): string => tmuxOn(socket, ...args);

const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** One running `micro-dev up`, its keep-alive pool, and how to stop it. */
interface Running {
  mode: Mode;
  pid: number;
  /** micro-dev and its descendants at start (fixed: the topology runs worker threads, not children). */
  pids: number[];
  pool: Pool;
  /** The tmux server playing the terminal (dashboard mode): its own CPU, not its children's. */
  terminalPid?: number;
  /** Copies what micro-dev writes to its terminal into a file until the returned function is called. */
  tapTerminal?(): () => Promise<{ bytes: number; frames: number }>;
  /** What the user would see (screen or log tail), for reports on failure. */
  tail(): string;
  stop(): Promise<void>;
}

const newPool = (topo: TestTopology) =>
  new Pool(`http://127.0.0.1:${topo.ports.gateway}`, { connections: concurrency, keepAliveTimeout: 30_000, headersTimeout: 5_000, bodyTimeout: 5_000 });

async function startInPane(topo: TestTopology, round: number, mode: 'dashboard' | 'pane-no-tui'): Promise<Running> {
  const session = `${mode}-${round}`;
  const exitFile = join(topo.dir, 'exit-code');
  const errFile = join(topo.dir, 'stderr');
  const command = `cd '${repoRoot}' && env -u CI '${process.execPath}' ${nodeFlags(mode, round).join(' ')} '${binPath}' up -c '${topo.file}' ${mode === 'pane-no-tui' ? '--no-tui ' : ''}2> '${errFile}'; echo $? > '${exitFile}'`;
  tmux('new-session', '-d', '-s', session, '-x', cols, '-y', rows, command);
  const screen = () => tmux('capture-pane', '-p', '-t', session);
  const withScreen = (e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${existsSync(exitFile) ? readFileSync(errFile, 'utf8') : screen()}`);
  };
  // Done waiting when ready or when micro-dev gave up (then the pane is gone and stderr tells why).
  const settled = async () => existsSync(exitFile) || /Services 4\/4 ready|micro-dev ready/.test(screen());
  await eventually(settled, 60_000, 'the dashboard showing 4/4 ready').catch(withScreen);
  if (existsSync(exitFile)) withScreen(new Error(`micro-dev up exited with ${readFileSync(exitFile, 'utf8').trim()} before ready`));
  const info = await eventually(async () => readRunFile(topo.file), 5_000, 'the run file');
  const tapFile = profDir ? join(profDir, `dashboard-${round}.terminal`) : join(topo.dir, 'terminal.raw');
  let piping = false;
  return {
    mode,
    pid: info.pid,
    pids: [info.pid, ...(await descendants(info.pid))],
    pool: newPool(topo),
    terminalPid: Number(tmux('display-message', '-p', '#{pid}').trim()),
    tapTerminal: mode === 'pane-no-tui' ? undefined : () => {
      // One pipe for the whole round; each tap reads what was appended meanwhile (cat's lag is a few ms).
      if (!piping) tmux('pipe-pane', '-t', session, `cat >> '${tapFile}'`);
      piping = true;
      const from = sizeOf(tapFile);
      return async () => {
        const raw = (existsSync(tapFile) ? readFileSync(tapFile) : Buffer.alloc(0)).subarray(from).toString('latin1');
        // ink wraps every frame in a synchronized-update pair on a TTY; without it, count header repaints.
        const frames = raw.split('\x1b[?2026h').length - 1 || raw.split('micro-dev ').length - 1;
        return { bytes: raw.length, frames };
      };
    },
    tail: screen,
    async stop() {
      tmux('send-keys', '-t', session, mode === 'pane-no-tui' ? 'C-c' : 'q');
      await eventually(async () => existsSync(exitFile), 15_000, 'micro-dev up to exit after q').catch(withScreen);
      const code = readFileSync(exitFile, 'utf8').trim();
      if (code !== '0') throw new Error(`${mode} round ${round}: micro-dev up exited with ${code}`);
    },
  };
}

async function startPlain(topo: TestTopology, round: number): Promise<Running> {
  const logFile = join(topo.dir, 'up.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeFlags('no-tui', round), binPath, 'up', '-c', topo.file, '--no-tui'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', fd, fd],
    // Its own session, as a tmux pane's micro-dev has (see the top of the file).
    detached: !sharedSession,
  });
  closeSync(fd);
  let exit: number | string | undefined;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve((exit = code ?? signal ?? '?'))));
  const tail = () => readFileSync(logFile, 'utf8').slice(-2000);
  const failed = (e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n--- up.log ---\n${tail()}`);
  };
  await eventually(async () => exit !== undefined || tail().includes('micro-dev ready'), 60_000, 'the "micro-dev ready" line').catch(failed);
  if (exit !== undefined) failed(new Error(`micro-dev up exited with ${exit} before ready`));
  return {
    mode: 'no-tui',
    pid: child.pid!,
    pids: [child.pid!, ...(await descendants(child.pid!))],
    pool: newPool(topo),
    tail,
    async stop() {
      child.kill('SIGINT');
      // unref: a timer left over from a clean exit must not keep this process up.
      const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000, 'no exit within 15 s').unref())]);
      if (code !== 0) throw new Error(`no-tui: micro-dev up exited with ${code}\n--- up.log (tail) ---\n${tail()}`);
    },
  };
}

/** Loads `up` for ms and adds requests, CPU, frames into `t`; marks `t` invalid if micro-dev went away. */
async function measure(up: Running, ms: number, t: Tally): Promise<void> {
  const cpu0 = cpuSeconds(up.pids);
  const term0 = up.terminalPid ? cpuSeconds([up.terminalPid]) : 0;
  const untap = up.tapTerminal?.();
  const self0 = process.cpuUsage();
  await drive(up.pool, ms, t, shape);
  const self = process.cpuUsage(self0);
  const drawn = await untap?.();
  if (!existsSync(`/proc/${up.pid}`)) t.invalid ??= `micro-dev (pid ${up.pid}) went away while measured:\n${up.tail()}`;
  else if (t.bad + t.errors > 0) t.invalid ??= `${t.bad + t.errors} failed requests`;
  t.cpu += cpuSeconds(up.pids) - cpu0;
  t.rssMb = Math.max(t.rssMb, rssMb(up.pid));
  t.terminalCpu += up.terminalPid ? cpuSeconds([up.terminalPid]) - term0 : 0;
  t.selfCpu += (self.user + self.system) / 1e6;
  t.frames += drawn?.frames ?? 0;
  t.bytes += drawn?.bytes ?? 0;
}

/** Stops micro-dev as a user would and checks it left nothing behind; throws otherwise. */
async function stopAndCheck(up: Running, topo: TestTopology): Promise<void> {
  await up.pool.close();
  await up.stop();
  await eventually(async () => !existsSync(`/proc/${up.pid}`), 5_000, `micro-dev pid ${up.pid} to be gone`);
  // The tmux server's own command line names the config too; it is not micro-dev's.
  const leftovers = (await processesWith(topo.file)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'tmux';
    } catch {
      return false;
    }
  });
  if (leftovers.length > 0) throw new Error(`${up.mode}: processes left behind: ${leftovers.join(', ')}`);
  await rm(topo.dir, { recursive: true, force: true });
}

async function start(mode: Mode, round: number, attempt = 1): Promise<{ up: Running; topo: TestTopology }> {
  const topo = await writeTestTopology();
  // The default topology's own registry timing, not the tests' accelerated one.
  await writeFile(topo.file, (await readFile(topo.file, 'utf8')).replace(', time_scale: 0.1', ''));
  try {
    const up = mode === 'no-tui' ? await startPlain(topo, round) : await startInPane(topo, round, mode);
    return { up, topo };
  } catch (error) {
    // Free ports are picked (and released) before micro-dev binds them: the same one can be picked twice,
    // or another listener (even micro-dev's own control API on port 0) takes one first. New ports, again.
    if (attempt < 3 && /already in use|is used by both/.test(String(error))) {
      process.stderr.write(`round ${round} ${mode}: a port was taken before micro-dev bound it; new ports\n`);
      await rm(topo.dir, { recursive: true, force: true });
      return start(mode, round, attempt + 1);
    }
    throw error;
  }
}

/** One round: each mode's tally (rounds design: one after the other; slices design: all up at once). */
async function runRound(round: number): Promise<Record<Mode, Tally>> {
  const tallies = Object.fromEntries(modes.map((m) => [m, emptyTally()])) as Record<Mode, Tally>;
  if (sliceMs === 0) {
    for (const mode of modes) {
      const { up, topo } = await start(mode, round);
      const failed = await (async () => {
        await drive(up.pool, warmupSeconds * 1000, emptyTally(), shape);
        await measure(up, seconds * 1000, tallies[mode]);
      })().catch((e: unknown) => e as Error);
      await stopAndCheck(up, topo);
      if (failed) throw failed;
    }
    return tallies;
  }
  const running: { up: Running; topo: TestTopology }[] = [];
  const failed = await (async () => {
    for (const mode of modes) running.push(await start(mode, round));
    for (const { up } of running) await drive(up.pool, warmupSeconds * 1000, emptyTally(), shape);
    const turns = Math.max(1, Math.round((seconds * 1000) / sliceMs));
    for (let k = 0; k < turns; k++) {
      // Rotate who goes first so no mode always follows the same one.
      const order = running.map((_, i) => running[(i + k) % running.length]);
      for (const { up } of order) await measure(up, sliceMs, tallies[up.mode]);
    }
  })().catch((e: unknown) => e as Error);
  for (const { up, topo } of running) await stopAndCheck(up, topo);
  if (failed) throw failed;
  return tallies;
}

const all: RoundResult[] = [];
let socketPath = '';
if (profDir) await mkdir(profDir, { recursive: true });
try {
  // A long-lived tmux server for the whole run, so its start-up is not inside any round.
  tmux('new-session', '-d', '-s', 'keep', '-x', '80', '-y', '24', 'sleep 86400');
  socketPath = tmux('display-message', '-p', '#{socket_path}').trim();
  for (let round = 1; round <= rounds; round++) {
    const tallies = await runRound(round);
    for (const mode of modes) {
      const r = toResult(round, mode, tallies[mode]);
      all.push(r);
      const term = mode === 'dashboard' ? `, tmux ${r.terminalCpuMsPerRequest} ms/req, ${r.terminalFramesPerSecond} frames/s` : '';
      process.stderr.write(
        `round ${round}/${rounds} ${mode.padEnd(11)} ${String(r.rps).padStart(5)} req/s  ok ${r.ok} bad ${r.bad} err ${r.errors}  ` +
          `micro-dev ${r.cpuMsPerRequest} ms CPU/req (${r.microDevCores} cores)${term}  p99 ${r.p99Ms} ms, ` +
          `${r.stallsPerSecond} stalls/s (${r.stalledShare})  load ${r.loadavg1m}` +
          `${r.invalid ? `  INVALID: ${r.invalid.split('\n')[0]}` : ''}\n`,
      );
    }
  }
} finally {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
  if (socketPath) await rm(socketPath, { force: true });
}

// A round counts only when all of its modes are valid (they share the machine's noise).
const validRounds = new Set(all.filter((r) => !r.invalid).map((r) => r.round));
for (const r of all) if (r.invalid) validRounds.delete(r.round);
const valid = all.filter((r) => validRounds.has(r.round));
const summary = (mode: Mode) => {
  const rs = valid.filter((r) => r.mode === mode);
  const m = (f: (r: RoundResult) => number | undefined) => r3(median(rs.map(f).filter((x): x is number => x !== undefined)));
  return {
    rps: m((r) => r.rps),
    cpuMsPerRequest: m((r) => r.cpuMsPerRequest),
    microDevCores: m((r) => r.microDevCores),
    ...(mode === 'dashboard'
      ? {
          terminalCpuMsPerRequest: m((r) => r.terminalCpuMsPerRequest),
          terminalFramesPerSecond: m((r) => r.terminalFramesPerSecond),
          terminalKBPerSecond: m((r) => r.terminalKBPerSecond),
        }
      : {}),
    loadGenCpuMsPerRequest: m((r) => r.loadGenCpuMsPerRequest),
    p50Ms: m((r) => r.p50Ms),
    p99Ms: m((r) => r.p99Ms),
    stallsPerSecond: m((r) => r.stallsPerSecond),
    stalledShare: m((r) => r.stalledShare),
    rssMb: m((r) => r.rssMb),
  };
};
const dashboard = summary('dashboard');
const plain = summary('no-tui');
const control = modes.includes('pane-no-tui') ? summary('pane-no-tui') : undefined;
/** Per valid round, f(a) / f(b): both measured under the same noise. */
const pair = (a: Mode, b: Mode, f: (r: RoundResult) => number) =>
  [...validRounds].map((round) => {
    const [x, y] = [a, b].map((mode) => valid.find((r) => r.round === round && r.mode === mode)!);
    return r3(f(x) / f(y));
  });
const compare = (a: Mode, b: Mode) => {
  const ratios = pair(a, b, (r) => r.rps);
  return {
    ratioOfMedians: r3(summary(a).rps / summary(b).rps),
    pairRatios: ratios,
    pairRatioMedian: r3(median(ratios)),
    // requests/s follows the machine's load; CPU per request much less so. b's CPU/request over a's is the
    // ratio a CPU-bound micro-dev would reach.
    cpuImpliedRatio: r3(summary(b).cpuMsPerRequest / summary(a).cpuMsPerRequest),
  };
};
const target = compare('dashboard', 'no-tui');
const ratio = target.pairRatioMedian;

let history: unknown[] = [];
try {
  const previous = JSON.parse(await readFile(resultFile, 'utf8'));
  const older: unknown[] = previous.history ?? [];
  delete previous.history;
  delete previous.rounds;
  history = [...older, previous].slice(-10);
} catch {
  // first run
}
const report = {
  bench: 'tui-gateway',
  at: new Date().toISOString(),
  node: process.version,
  target: 'dashboard rps / no-tui rps >= 0.9 (ratio: median over rounds of the per-round ratio)',
  settings: {
    design: sliceMs ? `all modes up at once, load rotating in ${sliceMs} ms slices` : 'one micro-dev at a time, modes in turn',
    modes,
    rounds,
    seconds,
    warmupSeconds,
    concurrency,
    path: PATH,
    terminal: `tmux ${cols}x${rows}`,
    noTuiSession: sharedSession ? 'shared with the load generator (diagnostic)' : 'its own',
    cores: 2,
  },
  validRounds: validRounds.size,
  ratio,
  meetsTarget: ratio >= 0.9,
  dashboardVsNoTui: target,
  // The same pane without the dashboard: ~1 when the harness treats the two sides alike (the bias check),
  // and the dashboard against it isolates the dashboard from "terminal vs file".
  ...(control ? { paneNoTuiVsNoTui: compare('pane-no-tui', 'no-tui'), dashboardVsPaneNoTui: compare('dashboard', 'pane-no-tui') } : {}),
  medians: { dashboard, noTui: plain, ...(control ? { paneNoTui: control } : {}) },
  rounds: all,
  history,
};
await mkdir(new URL('./', resultFile), { recursive: true });
await writeFile(resultFile, JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
