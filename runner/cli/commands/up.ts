/**
 * `micro-dev up`: load the topology, check its ports, start everything, serve the control API, then either
 * the dashboard (a TTY) or one plain line per event, until SIGINT/SIGTERM (or `micro-dev down`).
 */
import { relative } from 'node:path';
import { parseCli, configPath } from '../cli-args.ts';
import { loadTopology } from '../../config/load-topology.ts';
import type { Topology } from '../../config/topology.ts';
import { startControlServer } from '../../control/control-server.ts';
import { isAlive, readRunFile, removeRunFile, writeRunFile } from '../../control/run-file.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { preflightPorts } from '../preflight-ports.ts';
import { plainLine } from '../plain-output.ts';
import { watchSummary } from '../../reload/watch-summary.ts';
import type { InstanceView } from '../../engine/api.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('up', args, {
    'no-tui': { type: 'boolean' },
    'exit-on-failure': { type: 'boolean' },
    'no-watch': { type: 'boolean' },
  });
  const t0 = performance.now();
  const file = configPath(values.config);
  const loaded = await loadTopology(file);
  // Reload on save is on by default for code in the project; --no-watch turns it off for this run.
  const topology: Topology = values['no-watch'] ? { ...loaded, services: loaded.services.map(({ watch: _, ...s }) => s) } : loaded;
  const previous = await readRunFile(file);
  if (previous && isAlive(previous.pid) && previous.pid !== process.pid) {
    // Without -c, down/ui would look for the current folder's micro.dev.yaml, not this one.
    const c = file === configPath(undefined) ? '' : ` -c ${file}`;
    throw new MicroDevError('START_FAILED', `micro-dev up is already running for ${relative(process.cwd(), file)} (pid ${previous.pid})`, {
      hints: [`stop it with: npx micro-dev down${c}`, `or attach to it with: npx micro-dev ui${c}`],
    });
  }
  await preflightPorts(topology);
  // The engine (and all it pulls in, most of a second) loads only after the cheap checks above, so a bad
  // config, a busy port or a second `up` fails at once.
  const [{ Orchestrator }, { createRuntimes }, { runScenarioForDashboard }] = await Promise.all([
    import('../../engine/orchestrator.ts'),
    import('../create-runtimes.ts'),
    import('../dashboard-scenarios.ts'),
  ]);

  const tui = process.stdout.isTTY && process.stdin.isTTY && !values['no-tui'];
  const print = (line: string) => {
    if (!tui) process.stdout.write(plainLine(line));
  };
  const orchestrator = new Orchestrator(topology, {
    runtimes: await createRuntimes(topology),
    onProgress: print,
    runScenario: runScenarioForDashboard,
    // A service that cannot start is failed and retried on its own; --exit-on-failure (CI) stops everything.
    failuresStayLocal: !values['exit-on-failure'],
  });
  if (!tui) {
    orchestrator.subscribe((update) => {
      if ('event' in update && update.event.type === 'log') {
        print(`${update.event.instance.padEnd(16)} | ${update.event.line}`);
      }
    });
  }
  // `micro-dev down` (or a remote dashboard) sends `shutdown` through the control API: that must end this
  // process the way a signal does, not just stop the engine and leave `up` (and the control API) running.
  const control = await startControlServer(
    {
      snapshot: () => orchestrator.snapshot(),
      subscribe: (listener) => orchestrator.subscribe(listener),
      logs: (instance, limit) => orchestrator.logs(instance, limit),
      command: async (command) => {
        if (command.type !== 'shutdown') return orchestrator.command(command);
        void stop('shutdown').then(finish);
        return { ok: true, message: 'shutting down' };
      },
    },
    topology.control,
  );

  let watching: { close(): Promise<void> } | undefined;
  let stopping: Promise<number> | undefined;
  const stop = (why: string): Promise<number> => {
    stopping ??= (async () => {
      print(`stopping (${why})`);
      const force = setTimeout(() => {
        process.stderr.write('micro-dev: shutdown took longer than 8 s; exiting anyway\n');
        process.exit(1);
      }, 8000);
      force.unref();
      await watching?.close();
      await orchestrator.shutdown();
      await control.stop();
      await removeRunFile(file);
      clearTimeout(force);
      print('stopped');
      return 0;
    })();
    return stopping;
  };
  let finish: (code: number) => void = () => undefined;
  const signalled = new Promise<number>((resolve) => {
    finish = resolve;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => void stop(signal).then(resolve));
    }
  });

  // The run file lets status/down/ui/call find this `up`: written at once (so `down` works while starting)
  // and again when ready, with the addresses the servers really got.
  const startedAt = Date.now();
  let saving: Promise<unknown> = Promise.resolve();
  const saveRunFile = () =>
    (saving = saving.then(() => writeRunFile({
      pid: process.pid,
      controlUrl: control.url,
      token: control.token,
      configFile: file,
      topology: topology.name,
      startedAt,
      urls: orchestrator.snapshot().urls,
      broker: orchestrator.infrastructure?.brokerAddress,
    })));
  // "micro-dev ready" once every instance is ready: at the end of the start, or later when a service that
  // failed has been brought up by its restart policy.
  orchestrator.subscribe((update) => {
    if (!('event' in update) || update.event.type !== 'ready') return;
    void saveRunFile().then(() => {
      const { urls } = update.event.type === 'ready' ? update.event : orchestrator.snapshot();
      const seconds = ((performance.now() - t0) / 1000).toFixed(2);
      print(`micro-dev ready in ${seconds} s  gateway ${urls.gateway}  proxy ${urls.proxy}  web ${urls.web}  registry ${urls.registry}`);
    });
  });

  print(`micro-dev ${topology.name} from ${relative(process.cwd(), file)}; control API ${control.url}`);
  print(`reload           ${watchSummary(topology, { noWatch: values['no-watch'] })}`);
  try {
    const started = orchestrator.start().then(async () => {
      // Hot reload: services with `watch` are reloaded blue-green when their files change.
      if (topology.services.some((s) => s.watch)) {
        const { startWatching } = await import('../../reload/service-watcher.ts');
        // A watch that cannot start (e.g. over the entry cap) disables hot reload, not the topology.
        watching = await startWatching(orchestrator, topology, { onLine: (line) => print(`reload           ${line}`) }).catch(
          (error: Error) => {
            print(`reload           watch disabled: ${error.message}`);
            return undefined;
          },
        );
      }
    });
    await saveRunFile();
    if (tui) {
      const { runDashboard } = await import('../../tui/run-dashboard.ts');
      const closeDashboard = new AbortController();
      process.once('SIGTERM', () => closeDashboard.abort());
      const { listScenarios } = await import('../../scenarios/list-scenarios.ts');
      const scenarios = (await listScenarios().catch(() => [])).map((s) => s.name);
      const dashboard = runDashboard(orchestrator, { quitCommand: 'shutdown', signal: closeDashboard.signal, scenarios });
      // A start failure closes the dashboard first, so the error is printed on a restored terminal.
      await started.catch(async (error) => {
        closeDashboard.abort();
        await dashboard;
        throw error;
      });
      await dashboard;
      return stop('quit');
    }
    await started;
  } catch (error) {
    // Ctrl-C / SIGTERM while starting aborts the start: that is a clean stop, not an error.
    if (stopping) return stopping;
    await control.stop();
    await removeRunFile(file);
    throw error;
  }
  await saveRunFile();
  const snapshot = orchestrator.snapshot();
  if (!snapshot.ready) print(notReadyLine(snapshot.instances));
  return signalled;
}

/** The start settled with instances that are not ready: which, and why (the rest is running). */
function notReadyLine(instances: InstanceView[]): string {
  const waiting = instances.filter((i) => i.state !== 'ready');
  const why = waiting.map((i) =>
    i.state === 'pending' && i.waitingFor?.length ? `${i.instance} (waiting for ${i.waitingFor.join(', ')})` : `${i.instance} (${i.state}${i.lastError ? `: ${i.lastError}` : ''})`,
  );
  return `micro-dev running with ${waiting.length} of ${instances.length} instances not ready: ${why.join('; ')}`;
}
