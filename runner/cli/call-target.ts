/**
 * resolveCallTarget: what `micro-dev call NAME ENDPOINT` means, before anything is sent.
 *
 *   NAME: a registry name (go.micro.srv.greeter)          -> itself
 *         a topology service or instance (greeter-srv, greeter-srv-1) -> the registry name it registered
 *           (from the running up's instances; else the one registry name made of the same words)
 *         anything else -> CALL_FAILED "no service named NAME", with the closest name
 *   ENDPOINT: checked against the endpoints the service registered (when it registered any), with the
 *         closest one suggested.
 */
import { didYouMean } from '../config/did-you-mean.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export interface CallNames {
  /** Service names in the registry; undefined when it could not be asked (the name is then used as is). */
  registry: readonly string[] | undefined;
  /** Topology service and instance names -> the registry name their instances registered under. */
  topology: ReadonlyMap<string, string>;
  /** Endpoints a registry service published (empty when it published none). */
  endpoints(service: string): Promise<readonly string[]>;
}

export async function resolveCallTarget(name: string, endpoint: string, names: CallNames): Promise<{ service: string; endpoint: string }> {
  if (names.registry === undefined) return { service: names.topology.get(name) ?? name, endpoint };
  const service = serviceFor(name, names.registry, names.topology);
  const endpoints = await names.endpoints(service);
  if (endpoints.length > 0 && !endpoints.includes(endpoint)) {
    const close = didYouMean(endpoint, endpoints);
    throw new MicroDevError('CALL_FAILED', `call: ${service} has no endpoint ${endpoint}${close ? `; did you mean ${close}?` : ''}`, {
      hints: [`its endpoints: ${[...endpoints].sort().join(', ')}`],
    });
  }
  return { service, endpoint };
}

function serviceFor(name: string, registry: readonly string[], topology: ReadonlyMap<string, string>): string {
  if (registry.includes(name)) return name;
  const mapped = topology.get(name);
  if (mapped) return mapped;
  const sameWords = registry.filter((r) => sameWordSet(name, r));
  if (sameWords.length === 1) return sameWords[0]!;
  const candidates = [...new Set([...registry, ...topology.keys()])];
  const close = didYouMean(name, candidates) ?? candidates.find((c) => c.includes(name) || name.includes(c));
  throw new MicroDevError('CALL_FAILED', `call: no service named ${name}${close ? `; did you mean ${close}?` : ''}`, {
    hints: registry.length > 0 ? [`services: ${[...registry].sort().join(', ')}`] : ['no service is registered: is micro-dev up running?'],
  });
}

/** `greeter-srv` and `go.micro.srv.greeter` share their words (the namespace words aside). */
function sameWordSet(topologyName: string, registryName: string): boolean {
  const words = topologyName.toLowerCase().split(/[-_.]/).filter(Boolean);
  const registryWords = new Set(registryName.toLowerCase().split(/[-_.]/));
  return words.length > 0 && words.every((w) => registryWords.has(w));
}
