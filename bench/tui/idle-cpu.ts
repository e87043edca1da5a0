/**
 * CPU the dashboard costs: it renders a fake orchestrator at 80x24 into a pseudo terminal stream for
 * N seconds (default 10) and reports process CPU time as a share of one core.
 *
 *   idle      : the engine ticks as a quiet topology does (traffic sample + one heartbeat update per
 *               instance each second, no logs, no keys). Target < 3% of one core.
 *   log-storm : the same plus 1000 log lines per second (the throttle should keep this cheap too).
 *
 * Run: node_modules/.bin/node bench/tui/idle-cpu.ts [--seconds 10]   -> JSON on stdout and in
 * bench/results/tui-idle-cpu.json
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { runDashboard } from '../../runner/tui/run-dashboard.ts';
import { FakeOrchestrator, instance, sampleSnapshot } from '../../test/tui/fake-orchestrator.ts';
import { asStreams, FakeTerminalIn, FakeTerminalOut } from '../../test/tui/fake-terminal.ts';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 10;

async function measure(name: string, logLinesPerSecond: number) {
  const api = new FakeOrchestrator(sampleSnapshot(Date.now()));
  const out = new FakeTerminalOut(80, 24, false);
  const input = new FakeTerminalIn();
  let writes = 0;
  const write = out.write.bind(out);
  out.write = (chunk) => {
    writes++;
    out.output = ''; // keep memory flat over the run; only the count matters here
    return write(chunk);
  };
  const ac = new AbortController();
  const done = runDashboard(api, { ...asStreams(out, input), noColor: false, signal: ac.signal });

  const rps: number[] = [];
  let second = 0;
  const perSecond = setInterval(() => {
    second++;
    rps.push(10 + (second % 7));
    api.emit({ type: 'traffic', at: Date.now(), gatewayRps: rps.slice(-60) });
    for (const v of api.snapshot().instances) {
      api.setInstance(instance(v.instance, { ...v, heartbeatAgeMs: (second * 137) % 1000, leaseLeftMs: 9000 }));
    }
  }, 1000);
  let n = 0;
  const logs =
    logLinesPerSecond > 0
      ? setInterval(() => {
          for (let i = 0; i < logLinesPerSecond / 100; i++) api.log('greeter-srv-1', `request ${n++} served in 3ms`);
        }, 10)
      : undefined;

  // Let the first frame settle before measuring.
  await new Promise((r) => setTimeout(r, 500));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const writes0 = writes;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  clearInterval(perSecond);
  if (logs) clearInterval(logs);
  ac.abort();
  await done;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    name,
    seconds: Math.round(wallMs) / 1000,
    size: '80x24',
    logLinesPerSecond,
    cpuMs: Math.round(cpuMs),
    cpuPercentOfOneCore: Math.round((cpuMs / wallMs) * 1000) / 10,
    writesPerSecond: Math.round(((writes - writes0) / wallMs) * 10000) / 10,
  };
}

const results = [await measure('idle', 0), await measure('log-storm', 1000)];
const report = { bench: 'tui-idle-cpu', node: process.version, at: new Date().toISOString(), target: 'idle < 3% of one core', results };
await mkdir(new URL('../results/', import.meta.url), { recursive: true });
await writeFile(new URL('../results/tui-idle-cpu.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
console.log(JSON.stringify(report, null, 2));
