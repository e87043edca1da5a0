/**
 * How fast a toxic takes effect on a live connection: the link lives in this process (addToxic is the
 * call the scenario engine makes), the echo server in a child.
 *
 *   limit_data{bytes: 0}, upstream: addToxic returns -> t0, client writes 1 byte -> the link closes the
 *     connection on that first affected byte -> client sees the close at t1. effect = t1 - t0.
 *   reset_peer{timeout: 0}: addToxic returns -> t0 -> client sees ECONNRESET at t1 (no byte needed).
 *   baseline: one echo round trip on the same live connection just before (byte out, byte back).
 *
 * Each run: `connections` live connections in turn, p50/p99 per measure. Result: medians over runs.
 */
import net from 'node:net';
import { FaultPlane } from '../../runner/faults/fault-plane.ts';
import { median, percentile, round3, startFixture } from './bench-kit.ts';

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
}

function echoRoundTrip(s: net.Socket): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => {
    s.once('data', () => resolve(performance.now() - start));
    s.write('x');
  });
}

function closedAt(s: net.Socket): Promise<number> {
  s.on('error', () => {});
  return new Promise((resolve) => s.once('close', () => resolve(performance.now())));
}

export async function toxicApply(options: { runs: number; connections: number }) {
  const echo = await startFixture('echo');
  const plane = new FaultPlane();
  const link = await plane.createLink({ name: 'live', upstream: `127.0.0.1:${echo.port}` });
  const runs: Record<string, number>[] = [];
  try {
    for (let r = 0; r < options.runs; r++) {
      const baseline: number[] = [];
      const limit: number[] = [];
      const reset: number[] = [];
      for (let i = 0; i < options.connections; i++) {
        let s = await connect(link.port);
        await echoRoundTrip(s);
        baseline.push(await echoRoundTrip(s));
        let closed = closedAt(s);
        plane.addToxic('live', { name: 'cut', type: 'limit_data', stream: 'upstream', attributes: { bytes: 0 } });
        let t0 = performance.now();
        s.write('y');
        limit.push((await closed) - t0);
        plane.removeToxic('live', 'cut');

        s = await connect(link.port);
        await echoRoundTrip(s);
        closed = closedAt(s);
        plane.addToxic('live', { name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } });
        t0 = performance.now();
        reset.push((await closed) - t0);
        plane.removeToxic('live', 'rst');
      }
      runs.push({
        baselineEchoP50: round3(percentile(baseline, 50)),
        limitDataEffectP50: round3(percentile(limit, 50)),
        limitDataEffectP99: round3(percentile(limit, 99)),
        resetPeerEffectP50: round3(percentile(reset, 50)),
        resetPeerEffectP99: round3(percentile(reset, 99)),
      });
    }
  } finally {
    await plane.close();
    echo.stop();
  }
  const med = (k: string) => round3(median(runs.map((x) => x[k]!)));
  return {
    name: 'toxic-apply-live-connection',
    unit: 'ms',
    target: 'effect < 5 ms after addToxic returns',
    runs: options.runs,
    connectionsPerRun: options.connections,
    medianBaselineEchoP50: med('baselineEchoP50'),
    medianLimitDataEffectP50: med('limitDataEffectP50'),
    medianLimitDataEffectP99: med('limitDataEffectP99'),
    medianResetPeerEffectP50: med('resetPeerEffectP50'),
    medianResetPeerEffectP99: med('resetPeerEffectP99'),
    perRun: runs,
  };
}
