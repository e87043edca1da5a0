/**
 * Runs every registry benchmark in sequence (each writes its section of bench/results/registry.json).
 * Usage: node_modules/.bin/node bench/registry/run-all.ts
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
for (const script of ['ttl-pass-throughput.ts', 'register-to-watch-latency.ts', 'heartbeat-cpu.ts', 'eureka-propagation.ts', 'faces.ts', 'peer-replication-lag.ts', 'etcd-cluster.ts']) {
  console.log(`== ${script}`);
  execFileSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
}
