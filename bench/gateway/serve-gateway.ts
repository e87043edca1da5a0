/**
 * Child process for the gateway benchmark: starts the gateway with the JSON config in BENCH_GATEWAY_CONFIG
 * against BENCH_REGISTRY, prints `READY <url>` once listening, stops on SIGTERM.
 * Run by gateway-bench.ts; not meant to be run by hand.
 */
import { startGateway } from '../../runner/gateway/start-gateway.ts';
import type { GatewayConfig } from '../../runner/config/topology.ts';

const config = JSON.parse(process.env.BENCH_GATEWAY_CONFIG ?? '{}') as GatewayConfig;
const gw = await startGateway(config, { registryAddress: process.env.BENCH_REGISTRY ?? '' });
console.log(`READY ${gw.url}`);
process.once('SIGTERM', () => {
  void gw.stop().then(() => process.exit(0));
});
