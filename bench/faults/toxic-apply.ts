/**
 * How fast a toxic takes effect on a live connection, and whether it is in force once the call that added it
 * returned (issue 13, point 5: before the admin call returns, < 5 ms). Two callers, the echo server in a child:
 *
 *   engine  the link in this process, FaultPlane.addToxic (the call the scenario engine makes, synchronous)
 *   admin   the link and the Toxiproxy-compatible admin API in a child (as in `micro-dev up`): POST
 *           /proxies/live/toxics over a keep-alive connection, timed from send to the answer's end
 *
 *   limit_data{bytes: 0}, upstream: the call returns -> t0, client writes 1 byte -> the link closes the
 *     connection on that first affected byte -> client sees the close at t1. effect = t1 - t0. A byte that
 *     comes back instead is a `missed` (the toxic was not in force when the call returned).
 *   reset_peer{timeout: 0} (engine): the call returns -> t0 -> client sees ECONNRESET at t1 (no byte needed).
 *   anchors, same rounds: one echo round trip on a bare connection to the echo server (no link, none of our
 *     code) and one through the link, on the live connection just before the toxic (each after a warm-up one).
 *
 * Each run: `connections` live connections in turn per caller, p50/p99 per measure. Result: medians over runs.
 */
import http from 'node:http';
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

/** Writes one byte at t0 and waits for the connection to close (ms after t0), or for the byte to come back (missed). */
async function cutByFirstByte(s: net.Socket, closed: Promise<number>, t0: number): Promise<number | 'missed'> {
  const echoed = new Promise<'missed'>((resolve) => s.once('data', () => resolve('missed')));
  s.write('y');
  const first = await Promise.race([closed, echoed]);
  s.destroy();
  return first === 'missed' ? first : first - t0;
}

/** One admin API call on a kept-alive connection; resolves with its status once the answer is read. */
function adminCall(port: number, agent: http.Agent, method: string, path: string, body?: unknown): Promise<number> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function toxicApply(options: { runs: number; connections: number }) {
  const echo = await startFixture('echo');
  const plane = new FaultPlane();
  const link = await plane.createLink({ name: 'live', upstream: `127.0.0.1:${echo.port}` });
  const remote = await startFixture('admin', `127.0.0.1:${echo.port}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const runs: Record<string, number>[] = [];
  const cut = { name: 'cut', type: 'limit_data', stream: 'upstream', attributes: { bytes: 0 } } as const;
  try {
    for (let r = 0; r < options.runs; r++) {
      const directEcho: number[] = [];
      const baseline: number[] = [];
      const limit: number[] = [];
      const reset: number[] = [];
      const adminMs: number[] = [];
      const adminLimit: number[] = [];
      let missed = 0;
      let adminMissed = 0;
      const bare = await connect(echo.port);
      for (let i = 0; i < options.connections; i++) {
        // Warmed the same way as the link's baseline below: one round trip, then the measured one.
        await echoRoundTrip(bare);
        directEcho.push(await echoRoundTrip(bare));

        // engine: FaultPlane.addToxic in this process
        let s = await connect(link.port);
        await echoRoundTrip(s);
        baseline.push(await echoRoundTrip(s));
        let closed = closedAt(s);
        plane.addToxic('live', { ...cut });
        let t0 = performance.now();
        const effect = await cutByFirstByte(s, closed, t0);
        if (effect === 'missed') missed++;
        else limit.push(effect);
        plane.removeToxic('live', 'cut');

        s = await connect(link.port);
        await echoRoundTrip(s);
        closed = closedAt(s);
        plane.addToxic('live', { name: 'rst', type: 'reset_peer', attributes: { timeout: 0 } });
        t0 = performance.now();
        reset.push((await closed) - t0);
        plane.removeToxic('live', 'rst');

        // admin: the HTTP API of a plane in another process
        s = await connect(remote.port);
        await echoRoundTrip(s);
        closed = closedAt(s);
        const sent = performance.now();
        const status = await adminCall(remote.admin!, agent, 'POST', '/proxies/live/toxics', cut);
        t0 = performance.now();
        if (status !== 200) throw new Error(`POST /proxies/live/toxics answered ${status}`);
        adminMs.push(t0 - sent);
        const remoteEffect = await cutByFirstByte(s, closed, t0);
        if (remoteEffect === 'missed') adminMissed++;
        else adminLimit.push(remoteEffect);
        const removed = await adminCall(remote.admin!, agent, 'DELETE', '/proxies/live/toxics/cut');
        if (removed !== 204) throw new Error(`DELETE /proxies/live/toxics/cut answered ${removed}`);
      }
      bare.destroy();
      const p = (values: number[], q: number) => (values.length ? round3(percentile(values, q)) : NaN);
      runs.push({
        directEchoP50: p(directEcho, 50),
        baselineEchoP50: p(baseline, 50),
        limitDataEffectP50: p(limit, 50),
        limitDataEffectP99: p(limit, 99),
        limitDataMissed: missed,
        resetPeerEffectP50: p(reset, 50),
        resetPeerEffectP99: p(reset, 99),
        adminCallP50: p(adminMs, 50),
        adminCallP99: p(adminMs, 99),
        adminLimitDataEffectP50: p(adminLimit, 50),
        adminLimitDataEffectP99: p(adminLimit, 99),
        adminLimitDataMissed: adminMissed,
      });
    }
  } finally {
    agent.destroy();
    await plane.close();
    remote.stop();
    echo.stop();
  }
  const med = (k: string) => round3(median(runs.map((x) => x[k]!)));
  const sum = (k: string) => runs.reduce((n, x) => n + x[k]!, 0);
  return {
    name: 'toxic-apply-live-connection',
    unit: 'ms',
    target: 'in force when the call returns (missed 0); admin call < 5 ms; effect < 5 ms after the call returns',
    runs: options.runs,
    connectionsPerRun: options.connections,
    medianDirectEchoP50: med('directEchoP50'),
    medianBaselineEchoP50: med('baselineEchoP50'),
    medianLimitDataEffectP50: med('limitDataEffectP50'),
    medianLimitDataEffectP99: med('limitDataEffectP99'),
    limitDataMissed: sum('limitDataMissed'),
    medianResetPeerEffectP50: med('resetPeerEffectP50'),
    medianResetPeerEffectP99: med('resetPeerEffectP99'),
    medianAdminCallP50: med('adminCallP50'),
    medianAdminCallP99: med('adminCallP99'),
    medianAdminLimitDataEffectP50: med('adminLimitDataEffectP50'),
    medianAdminLimitDataEffectP99: med('adminLimitDataEffectP99'),
    adminLimitDataMissed: sum('adminLimitDataMissed'),
    perRun: runs,
  };
}
