/**
 * `micro-dev up`: load the topology, check its ports, start everything, serve the control API, then either
 * the dashboard (a TTY) or one plain line per event, until SIGINT/SIGTERM (or `micro-dev down`).
 *
 * A stop (signal, down, the dashboard's quit) can come at any moment, even while the config loads: every
 * step that creates something registers how to undo it, and a stop undoes what exists and exits 0.
 */
import { relative } from 'node:path';
import { parseCli, configPath } from '../cli-args.ts';
import { loadTopology } from '../../config/load-topology.ts';
import type { Topology } from '../../config/topology.ts';
import { startControlServer, type StartedControl } from '../../control/control-server.ts';
import { isAlive, logDirOf, readRunFile, removeRunFile, writeRunFile } from '../../control/run-file.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { preflightPorts } from '../preflight-ports.ts';
import { plainLine } from '../plain-output.ts';
import { claimShutdownSignals } from '../shutdown-signals.ts';
import { EXIT_OK } from '../exit-codes.ts';
import { watchSummary } from '../../reload/watch-summary.ts';
import type { Watching } from '../../reload/service-watcher.ts';
import { watchConfig } from '../config-watcher.ts';
import { startIdleMemoryTrim } from '../idle-memory-trim.ts';
import { keepTickObjectShape } from '../../runtimes/tick-object-shape.cjs';
import { SystemClock } from '../../clock/clock.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import { controlRequest } from '../../control/control-client.ts';
import type { RunInfo } from '../../control/run-file.ts';
import type { CommandResult, InstanceView, OrchestratorApi } from '../../engine/api.ts';

export async function run(args: string[]): Promise<number> {
  // Undo steps, run last-first by a stop; one registered after a stop began runs at once.
  const undo: (() => Promise<unknown>)[] = [];
  let stopping: Promise<number> | undefined;
  let closeDashboard: AbortController | undefined;
  let print = (line: string) => void process.stdout.write(plainLine(line));
  const teardown = async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => undefined);
  };
  const stop = (why: string): Promise<number> => {
    stopping ??= (async () => {
      closeDashboard?.abort();
      print(`stopping (${why})`);
      const force = setTimeout(() => {
        process.stderr.write('micro-dev: shutdown took longer than 8 s; exiting anyway\n');
        process.exit(1);
      }, 8000);
      force.unref();
      await teardown();
      clearTimeout(force);
      print('stopped');
      return EXIT_OK;
    })();
    return stopping;
  };
  /** Registers an undo step; false (after running it) when a stop already began: the caller returns. */
  const own = async (step: () => Promise<unknown>): Promise<boolean> => {
    if (!stopping) {
      undo.push(step);
      return true;
    }
    await step().catch(() => undefined);
    return false;
  };
  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  claimShutdownSignals((signal) => void stop(signal).then(finish));

  const { values, positionals } = parseCli('up', args, {
    'no-tui': { type: 'boolean' },
    'exit-on-failure': { type: 'boolean' },
    'no-watch': { type: 'boolean' },
  });
  const t0 = performance.now();
  const file = configPath(values.config);
  const loaded = await loadTopology(file);
  if (stopping) return stopping;
  // Reload on save is on by default for code in the project; --no-watch turns it off for this run.
  const prepare = (t: Topology): Topology => (values['no-watch'] ? { ...t, services: t.services.map(({ watch: _, ...s }) => s) } : t);
  const topology = prepare(loaded);
  const only = positionals.length > 0 ? positionals : undefined;
  for (const name of only ?? []) checkServiceName(name, topology);
  const previous = await readRunFile(file);
  if (previous && isAlive(previous.pid) && previous.pid !== process.pid) {
    // `up SERVICE...` beside a running `up`: start those there (with what they depend on), as Compose does.
    if (only) return startInRunningUp(previous, only);
    const c = file === configPath(undefined) ? '' : ` -c ${file}`;
    throw new MicroDevError('ALREADY_RUNNING', `micro-dev up is already running for ${relative(process.cwd(), file)} (pid ${previous.pid})`, {
      hints: [`stop it with: npx micro-dev down${c}`, `or attach to it with: npx micro-dev ui${c}`],
    });
  }
  await preflightPorts(topology);
  if (stopping) return stopping;
  // The engine (and all it pulls in, most of a second) loads only after the cheap checks above, so a bad
  // config, a busy port or a second `up` fails at once.
  const [{ Orchestrator }, { createRuntimes }, { runScenarioForDashboard }] = await Promise.all([
    import('../../engine/orchestrator.ts'),
    import('../create-runtimes.ts'),
    import('../dashboard-scenarios.ts'),
  ]);
  if (stopping) return stopping;

  const tui = process.stdout.isTTY && process.stdin.isTTY && !values['no-tui'];
  if (tui) print = () => undefined;
  const runtimes = await createRuntimes(topology);
  const orchestrator = new Orchestrator(topology, {
    runtimes,
    onProgress: print,
    runScenario: runScenarioForDashboard,
    // Every instance's output, kept for `micro-dev logs` (bounded, rotated).
    logDir: logDirOf(file),
    // A service that cannot start is failed and retried on its own; --exit-on-failure (CI) stops everything.
    failuresStayLocal: !values['exit-on-failure'],
  });
  let control: StartedControl | undefined;
  // The run file's writes, one after the other (see saveRunFile below).
  let saving: Promise<unknown> = Promise.resolve();
  // Engine first (a dashboard attached through the control API sees it go), then the control API. The run
  // file goes last, after a write already under way: removed under it, that write put it back (Ctrl-C at
  // 253 ms into a start left run.json behind once in CI).
  const stopAll = async () => {
    await orchestrator.shutdown();
    await control?.stop();
    await saving.catch(() => undefined);
    await removeRunFile(file);
  };
  if (!(await own(stopAll))) return stopping!;
  // The heap pages a load left behind go back to the OS once micro-dev is idle again (idle-memory-trim.ts).
  const stopTrim = startIdleMemoryTrim({ clock: new SystemClock() });
  if (!(await own(async () => stopTrim()))) return stopping!;
  // ...and nextTick keeps its fast path through the GCs that trim and V8's memory reducer run (runtimes/tick-object-shape.cjs).
  const letTickShapeGo = keepTickObjectShape();
  if (!(await own(async () => letTickShapeGo()))) return stopping!;
  if (!tui) {
    orchestrator.subscribe((update) => {
      if ('event' in update && update.event.type === 'log') {
        print(`${update.event.instance.padEnd(16)} | ${update.event.line}`);
      }
    });
  }
  // What the control API (down, ui, the CLI's commands) and the dashboard drive. `shutdown` ends this
  // process the way a signal does, not just the engine (leaving `up` and the control API running).
  const api: OrchestratorApi = {
    snapshot: () => orchestrator.snapshot(),
    subscribe: (listener) => orchestrator.subscribe(listener),
    logs: (instance, limit) => orchestrator.logs(instance, limit),
    traces: (query) => orchestrator.traces(query),
    trace: (id) => orchestrator.trace(id),
    command: async (command) => {
      if (command.type !== 'shutdown') return orchestrator.command(command);
      void stop('shutdown').then(finish);
      return { ok: true, message: 'shutting down' };
    },
  };
  const started = (control = await startControlServer(api, topology.control));
  if (stopping) {
    await started.stop(); // the stop ran before the control API existed
    return stopping;
  }

  // The run file lets status/down/ui/call find this `up`: written at once (so `down` works while starting)
  // and again when ready, with the addresses the servers really got.
  const startedAt = Date.now();
  const saveRunFile = () =>
    (saving = saving.then(() => {
      if (stopping) return;
      return writeRunFile({
        pid: process.pid,
        controlUrl: started.url,
        token: started.token,
        configFile: file,
        topology: topology.name,
        startedAt,
        urls: orchestrator.snapshot().urls,
        broker: orchestrator.infrastructure?.brokerAddress,
      });
    }));
  // "micro-dev ready" once every instance is ready: at the end of the start, or later when a service that
  // failed has been brought up by its restart policy.
  orchestrator.subscribe((update) => {
    if (!('event' in update) || update.event.type !== 'ready') return;
    const { urls } = update.event;
    void saveRunFile().then(() => {
      const seconds = ((performance.now() - t0) / 1000).toFixed(2);
      if (!stopping) print(`micro-dev ready in ${seconds} s  gateway ${urls.gateway}  proxy ${urls.proxy}  web ${urls.web}  registry ${urls.registry}`);
    });
  });

  print(`micro-dev ${topology.name} from ${relative(process.cwd(), file)}; control API ${started.url}`);
  print(`reload           ${watchSummary(topology, { noWatch: values['no-watch'] })}`);
  try {
    const starting = orchestrator.start({ only }).then(async () => {
      if (stopping) return;
      // Hot reload: services with `watch` are reloaded blue-green when their files change; services a live
      // edit adds are watched from then on.
      let watching: Watching | undefined;
      const followWatch = async (next: Topology) => {
        if (stopping) return;
        // A watch that cannot start (e.g. over the entry cap) disables hot reload, not the topology.
        const disabled = (error: Error) => print(`reload           watch disabled: ${error.message}`);
        if (watching) return watching.update(next).catch(disabled);
        if (!next.services.some((s) => s.watch)) return;
        const { startWatching } = await import('../../reload/service-watcher.ts');
        watching = await startWatching(orchestrator, next, { onLine: (line) => print(`reload           ${line}`) }).catch((error: Error) => {
          disabled(error);
          return undefined;
        });
        const started = watching;
        if (started) await own(() => started.close());
      };
      await followWatch(topology);
      if (stopping) return;
      // Edits of micro.dev.yaml apply live (services); an invalid edit is reported, the topology kept.
      const apply = async (next: Topology) => {
        const lines = await orchestrator.applyTopology(next);
        await followWatch(next);
        return lines;
      };
      const following = watchConfig(file, { prepare, apply, print });
      await own(() => following.close());
    });
    // Handled below, after other awaits: a rejection meanwhile (a stop during the start) must not count as
    // unhandled (Node would end the process with its stack).
    starting.catch(() => undefined);
    await saveRunFile();
    if (tui) {
      const { runDashboard } = await import('../../tui/run-dashboard.ts');
      closeDashboard = new AbortController();
      const { listScenarios } = await import('../../scenarios/list-scenarios.ts');
      const scenarios = (await listScenarios().catch(() => [])).map((s) => s.name);
      if (stopping) return stopping;
      const dashboard = runDashboard(api, { quitCommand: 'shutdown', signal: closeDashboard.signal, scenarios });
      // A start failure closes the dashboard first, so the error is printed on a restored terminal.
      await starting.catch(async (error) => {
        closeDashboard?.abort();
        await dashboard;
        throw error;
      });
      await dashboard;
      return stop('quit');
    }
    await starting;
  } catch (error) {
    // A stop while starting aborts the start: that is a clean stop, not an error.
    if (stopping) return stopping;
    await teardown();
    throw error;
  }
  if (stopping) return stopping;
  await saveRunFile();
  const snapshot = orchestrator.snapshot();
  if (!snapshot.ready) print(notReadyLine(snapshot.instances));
  return stopped;
}

/** The start settled with instances that are not ready: which, and why (the rest is running). */
function notReadyLine(instances: InstanceView[]): string {
  const waiting = instances.filter((i) => i.state !== 'ready');
  const why = waiting.map((i) =>
    i.state === 'pending' && i.waitingFor?.length ? `${i.instance} (waiting for ${i.waitingFor.join(', ')})` : `${i.instance} (${i.state}${i.lastError ? `: ${i.lastError}` : ''})`,
  );
  return `micro-dev running with ${waiting.length} of ${instances.length} instances not ready: ${why.join('; ')}`;
}

/** `up SERVICE...` names services of the topology (did-you-mean otherwise). */
function checkServiceName(name: string, topology: Topology): void {
  const names = topology.services.map((s) => s.name);
  if (names.includes(name)) return;
  const guess = didYouMean(name, names);
  throw new MicroDevError('BAD_ARGUMENTS', `up: no service named "${name}" in ${topology.file}${guess ? ` (did you mean "${guess}"?)` : ''}`, {
    hints: [`services: ${names.join(', ')}`],
  });
}

/** Starts services in the `up` already running for this config; prints what each answered. */
async function startInRunningUp(info: RunInfo, services: string[]): Promise<number> {
  for (const service of services) {
    const result = await controlRequest<CommandResult>(info, '/api/command', { method: 'POST', body: JSON.stringify({ type: 'start', instance: service }) });
    if (!result.ok) throw new MicroDevError('COMMAND_FAILED', result.message);
    process.stdout.write(`${result.message} (in the micro-dev up already running, pid ${info.pid})\n`);
  }
  return 0;
}
