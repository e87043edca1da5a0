/**
 * `npm run bench`: every benchmark, one after the other (they must not share the 2 cores), each writing
 * its JSON into bench/results/. Give names to run a subset: `npm run bench -- gateway registry`.
 * Numbers are medians with a baseline measured in the same run; nothing here is asserted in tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const suites: Record<string, string> = {
  foundation: 'bench/foundation/up-to-ready.ts',
  registry: 'bench/registry/run-all.ts',
  gateway: 'bench/gateway/gateway-bench.ts',
  faults: 'bench/faults/run.ts',
  reload: 'bench/reload/reload-bench.ts',
  'go-reload': 'bench/polyglot/go-reload-bench.ts',
  tui: 'bench/tui/idle-cpu.ts',
  'tui-gateway': 'bench/tui/gateway-with-dashboard.ts',
  scenarios: 'bench/scenarios/verdict-spread.ts',
  compare: 'bench/compare/compare-wall.ts',
  package: 'bench/package/install-to-ready.ts',
  reaper: 'bench/containers/reaper-latency.ts',
  e2e: 'bench/e2e/e2e-bench.ts',
  memory: 'bench/e2e/memory-soak.ts',
  traces: 'bench/traces/tracing-overhead.ts',
  profile: 'bench/profile/main-thread-profile.ts',
  'traces-gc': 'bench/traces/store-gc.ts',
  scale: 'bench/scale/scale-bench.ts',
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in suites));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [name, file] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  if (!existsSync(file)) {
    console.log(`\n== ${name}: ${file} is missing, skipped`);
    continue;
  }
  console.log(`\n== ${name} (${file})`);
  const result = spawnSync(process.execPath, [...(name === 'traces' ? ['--expose-gc'] : []), file], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`== ${name} failed (exit ${result.status ?? result.signal})`);
  }
}
console.log(`\nresults in bench/results/*.json${failed ? `; ${failed} bench(es) failed` : ''}`);
process.exit(failed ? 1 : 0);
