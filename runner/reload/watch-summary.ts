/**
 * watchSummary: the one line `micro-dev up` prints about hot reload before it starts, so a user knows which
 * services reload on save without reading the YAML (reload is on by default for code in the project).
 */
import type { Topology } from '../config/topology.ts';

export function watchSummary(topology: Pick<Topology, 'services'>, options: { noWatch?: boolean } = {}): string {
  if (options.noWatch) return 'reload on save: off (up --no-watch)';
  const watched = topology.services.filter((s) => s.watch);
  const rest = topology.services.filter((s) => !s.watch).map((s) => s.name);
  if (watched.length === 0) return 'reload on save: no service is watched (none has its code in this project, or each says watch: false)';
  const names = watched.map((s) => `${s.name}${s.watch?.build ? ' (build first)' : ''}`);
  return `reload on save: ${names.join(', ')}${rest.length ? `; not watched: ${rest.join(', ')}` : ''}`;
}
