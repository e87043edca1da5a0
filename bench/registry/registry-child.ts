/**
 * Runs one embedded registry in its own process for benchmarks, so its CPU is measured apart from the load
 * generator. Config comes as JSON in argv[2]; it sends {address} over IPC once listening and answers
 * {cmd:'cpu'} with process.cpuUsage() (microseconds). Exits when the parent disconnects.
 */
import { startRegistry } from '../../runner/registry/start-registry.ts';

const config = JSON.parse(process.argv[2] ?? '{}');
const registry = await startRegistry({ host: '127.0.0.1', port: 0, ...config });
process.send!({ address: registry.address });
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'cpu') process.send!({ cpu: process.cpuUsage(), at: performance.now() });
});
process.on('disconnect', () => {
  void registry.stop().then(() => process.exit(0));
});
