/**
 * Eureka model: time from an instance's death (its last renewal... then silence) to its disappearance from
 * `health/service?passing`, against what Eureka's timings predict. Runs at timeScale 0.01 (90 s -> 0.9 s)
 * and reports model seconds.
 *
 * Prediction (reference/registry.md §3, server side, defaults, expiry enabled): the lease lasts 2 x 90 s
 * after the last renew (quirk), the eviction task runs every 60 s, the read-only cache syncs every 30 s.
 * Death lands u in [0, 30) s after the last renew, so disappearance after death is in
 * [180 - 30, 180 + 60 + 30] = [150, 270] s, mean 180 - 15 + 30 + 15 = 210 s (uniform phases); clients add
 * their own 30 s fetch (+30 s Ribbon) on top.
 *
 * Usage: node_modules/.bin/node bench/registry/eureka-propagation.ts [trials=5] [timeScale=0.01]
 */
import { median, registryProcess, writeResult } from './bench-support.ts';

const trials = Number(process.argv[2] ?? 5);
const timeScale = Number(process.argv[3] ?? 0.01);
const ALIVE = 20;
const RENEW_S = 30;
const model = (realMs: number) => realMs / timeScale / 1000;
const real = (modelS: number) => modelS * 1000 * timeScale;

const reg = await registryProcess({ semantics: 'eureka', timeScale, eureka: { doubleExpiryQuirk: true, selfPreservation: true } });
const put = (path: string, body?: string) => fetch(`${reg.url}${path}`, { method: 'PUT', body }).then((r) => r.text());
const ids = Array.from({ length: ALIVE }, (_, i) => `alive-${i}`);
for (const id of ids) await put('/v1/agent/service/register', JSON.stringify({ Name: 'app', ID: id, Check: { TTL: '90s' } }));

// The survivors renew every 30 s (model) so renewals stay above the threshold and expiry stays enabled.
const renewer = setInterval(() => {
  for (const id of ids) void put(`/v1/agent/check/pass/service:${id}`);
}, real(RENEW_S));

const passingIds = async () =>
  ((await (await fetch(`${reg.url}/v1/health/service/app?passing`)).json()) as { Service: { ID: string } }[]).map((e) => e.Service.ID);

// Let the renew-rate bucket fill (self-preservation turns off after the first full minute).
await new Promise((r) => setTimeout(r, real(150)));

const measured: number[] = [];
for (let t = 0; t < trials; t++) {
  const victim = `victim-${t}`;
  await put('/v1/agent/service/register', JSON.stringify({ Name: 'app', ID: victim, Check: { TTL: '90s' } }));
  // It renews on the same 30 s cadence for a while, then dies at a random point after a renewal.
  const renewals = 3;
  for (let i = 0; i < renewals; i++) {
    await put(`/v1/agent/check/pass/service:${victim}`);
    await new Promise((r) => setTimeout(r, real(RENEW_S)));
  }
  await put(`/v1/agent/check/pass/service:${victim}`);
  await new Promise((r) => setTimeout(r, Math.random() * real(RENEW_S)));
  const died = performance.now();
  await new Promise<void>((resolve, reject) => {
    const deadline = died + real(600);
    const poll = async () => {
      if (!(await passingIds()).includes(victim)) return resolve();
      if (performance.now() > deadline) return reject(new Error(`${victim} still listed 600 model-seconds after death`));
      setTimeout(poll, Math.max(1, real(0.5)));
    };
    void poll();
  });
  measured.push(model(performance.now() - died));
  console.log(`trial ${t + 1}: gone from health/service?passing ${measured.at(-1)!.toFixed(1)} model-s after death`);
}
clearInterval(renewer);
const status = await (await fetch(`${reg.url}/v1/micro-dev/status`)).json();
await reg.stop();
writeResult('eurekaPropagation', {
  timeScale,
  trials,
  measuredModelSeconds: measured.map((s) => Number(s.toFixed(1))),
  medianMeasuredModelSeconds: Number(median(measured).toFixed(1)),
  maxMeasuredModelSeconds: Number(Math.max(...measured).toFixed(1)),
  predictedModelSeconds: { min: 150, mean: 210, max: 270, clientsSeeWorstCase: 300, withRibbonWorstCase: 330 },
  selfPreservationAtEnd: (status as { selfPreservation: boolean }).selfPreservation,
});
