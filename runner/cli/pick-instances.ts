/**
 * pickInstances: the instances a command's SERVICE|INSTANCE argument names. No argument: all of them; an
 * instance name: that one; a service name: its instances. Anything else is a BAD_ARGUMENTS error with the
 * closest name.
 */
import { didYouMean } from '../config/did-you-mean.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export function pickInstances(target: string | undefined, known: readonly { instance: string; service: string }[]): string[] {
  if (target === undefined) return known.map((k) => k.instance);
  const exact = known.filter((k) => k.instance === target);
  if (exact.length > 0) return exact.map((k) => k.instance);
  const ofService = known.filter((k) => k.service === target);
  if (ofService.length > 0) return ofService.map((k) => k.instance);
  const names = [...new Set(known.flatMap((k) => [k.service, k.instance]))];
  const close = didYouMean(target, names);
  throw new MicroDevError('BAD_ARGUMENTS', `no service or instance named ${target}${close ? `; did you mean ${close}?` : ''}`, {
    hints: names.length > 0 ? [`services: ${[...new Set(known.map((k) => k.service))].sort().join(', ')}`] : [],
  });
}
