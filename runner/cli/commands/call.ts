import { parseCli, configPath, startHint } from '../cli-args.ts';
import { resolveTargets, type Targets } from '../targets.ts';
import { resolveCallTarget, type CallNames } from '../call-target.ts';
import { Client } from '../../../services/kit/client.ts';
import { MicroError } from '../../../services/kit/errors.ts';
import { ConsulRegistryClient } from '../../../services/kit/registry-client.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { controlRequest } from '../../control/control-client.ts';
import { isAlive, readRunFile } from '../../control/run-file.ts';
import type { Snapshot } from '../../engine/api.ts';

/** `micro-dev call SERVICE ENDPOINT [JSON]`: one call through the proxy, the answer printed as JSON. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('call', args, { timeout: { type: 'string' } });
  const [name, requested, json = '{}'] = positionals;
  if (!name || !requested || positionals.length > 3) {
    throw new MicroDevError('BAD_ARGUMENTS', 'call needs SERVICE ENDPOINT [JSON], e.g. micro-dev call go.micro.srv.greeter Say.Hello \'{"name":"John"}\'');
  }
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (error) {
    throw new MicroDevError('BAD_ARGUMENTS', `call: the request is not valid JSON (${(error as Error).message}): ${json}`);
  }
  const timeoutMs = values.timeout === undefined ? 5000 : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new MicroDevError('BAD_ARGUMENTS', `call: --timeout must be a positive number of milliseconds, got "${values.timeout}"`);
  }
  const file = configPath(values.config);
  const targets = await resolveTargets(file);
  const registry = new ConsulRegistryClient(targets.registry);
  let target: { service: string; endpoint: string };
  try {
    target = await resolveCallTarget(name, requested, await callNames(file, targets, registry));
  } finally {
    await registry.close();
  }
  const { service, endpoint } = target;
  const client = new Client({ proxyAddress: targets.proxy, timeoutMs });
  try {
    const answer = await client.call(service, endpoint, body, { timeoutMs });
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof MicroError && !targets.running && error.detail.startsWith('connection error')) {
      // Nothing listens where the config puts the proxy: say that up is not running, not go-micro's dial error.
      const why = error.detail.slice(error.detail.lastIndexOf(': ') + 2);
      throw new MicroDevError('NOT_RUNNING', `call ${service} ${endpoint}: micro-dev up is not running for ${file} and nothing answers at the proxy ${targets.proxy} (${why})`, {
        hints: [startHint(file)],
      });
    }
    if (error instanceof MicroError) {
      // One readable line: the code and its meaning, go-micro's detail, and who said it.
      const code = error.code ? `${error.code}${error.status ? ` ${error.status}` : ''}: ` : '';
      throw new MicroDevError('CALL_FAILED', `call ${service} ${endpoint}: ${code}${error.detail}${error.id ? ` (from ${error.id})` : ''}`);
    }
    throw new MicroDevError('CALL_FAILED', `call ${service} ${endpoint} through the proxy at ${targets.proxy} failed: ${(error as Error).message}`, {
      hints: targets.running ? [] : [`is micro-dev up running? ${startHint(file)}`],
    });
  } finally {
    await client.close();
  }
}

/**
 * The names `call` understands: the registry's services (with their endpoints), and the topology's
 * services and instances mapped to the registry names their instances registered under (running up only).
 */
async function callNames(file: string, targets: Targets, registry: ConsulRegistryClient): Promise<CallNames> {
  // `consul` is the agent's own entry in the catalog, not a service one calls.
  const services = (await registry.listServices().catch(() => undefined))?.filter((s) => s !== 'consul');
  const topology = new Map<string, string>();
  const info = targets.running ? await readRunFile(file) : undefined;
  if (info && isAlive(info.pid)) {
    const snapshot = await controlRequest<Snapshot>(info, '/api/snapshot').catch(() => undefined);
    for (const i of snapshot?.instances ?? []) {
      // The registry id is `<registry name>-<server id>`: the server id is a uuid.
      const registryName = i.registryId?.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, '');
      if (!registryName) continue;
      topology.set(i.instance, registryName);
      if (!topology.has(i.service)) topology.set(i.service, registryName);
    }
  }
  return {
    registry: services,
    topology,
    endpoints: async (service) => {
      const found = await registry.getService(service).catch(() => undefined);
      return [...new Set((found?.services ?? []).flatMap((s) => s.endpoints.map((e) => e.name)))];
    },
  };
}
