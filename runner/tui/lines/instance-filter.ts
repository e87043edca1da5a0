import type { InstanceView } from '../../engine/api.ts';
import { orderInstances } from './instance-order.ts';

/**
 * The dashboard's `/` filter on instances: every word of it (case-insensitive, any order) occurs in the
 * instance's name, service, tier, state or one of its faults. `srv-4 crashed` keeps greeter-srv-4,
 * greeter-srv-40... while they are crashed; `latency` the instances with that fault. '' keeps everything.
 * A filter no instance matches (`timeout`: words of log lines) leaves the list whole: it filters the logs only.
 */
export function filterWords(filter: string | undefined): string[] {
  return (filter ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

export function instanceMatches(v: InstanceView, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  const text = `${v.instance} ${v.service} ${v.tier} ${v.state} ${(v.faults ?? []).join(' ')}`.toLowerCase();
  return words.every((w) => text.includes(w));
}

/** The filter's instance words when at least one of `instances` matches them; none otherwise (see above). */
export function instanceFilterWords(instances: readonly InstanceView[], filter: string | undefined): string[] {
  const words = filterWords(filter);
  return words.length > 0 && instances.some((v) => instanceMatches(v, words)) ? words : [];
}

/** The instances the dashboard lists and walks: tier order (web, api, srv, other), the filter applied. */
export function shownInstances(instances: readonly InstanceView[], filter: string | undefined): InstanceView[] {
  const words = instanceFilterWords(instances, filter);
  const ordered = orderInstances(instances);
  return words.length === 0 ? ordered : ordered.filter((v) => instanceMatches(v, words));
}
