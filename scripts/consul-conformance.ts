/**
 * `npm run test:consul`: the registry conformance suite against a real Consul in a container, the same
 * tests the embedded registry passes. Starts `hashicorp/consul` (agent -dev) with startConsulContainer,
 * runs the suite with CONSUL_HTTP_ADDR pointing at it, removes the container.
 *
 *   node scripts/consul-conformance.ts [--image hashicorp/consul:1.17] [--if-present]
 *
 * Nothing is pulled: the image must be in the local Docker (`docker load` it where no registry is
 * reachable). With --if-present a missing image or engine is a skip (exit 0, said plainly), as in CI.
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startConsulContainer } from '../runner/runtimes/container/consul-container.ts';
import { isMicroDevError } from '../runner/errors/micro-dev-error.ts';

const { values } = parseArgs({ options: { image: { type: 'string' }, 'if-present': { type: 'boolean' } } });
const suite = ['test/registry/consul-client.test.ts', 'test/registry/conformance-vectors.test.ts'];

let consul;
try {
  consul = await startConsulContainer({ ...(values.image ? { image: values.image } : {}) });
} catch (error) {
  const message = isMicroDevError(error) ? error.message : String(error);
  if (values['if-present']) {
    console.log(`real-Consul conformance skipped: ${message}`);
    process.exit(0);
  }
  console.error(`real-Consul conformance could not start: ${message}`);
  process.exit(2);
}
console.log(`real Consul at ${consul.address} (container ${consul.containerId.slice(0, 12)}); running ${suite.join(' ')}`);
try {
  const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...suite], {
    stdio: 'inherit',
    env: { ...process.env, CONSUL_HTTP_ADDR: consul.address },
  });
  process.exitCode = run.status ?? 1;
} finally {
  await consul.stop();
}
