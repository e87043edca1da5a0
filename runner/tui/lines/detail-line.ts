import type { InstanceView } from '../../engine/api.ts';
import { formatDuration } from './format.ts';
import { fitLine, seg, type Line } from './line.ts';
import { stateTone } from './state-tone.ts';
import { registrationText } from './instance-lines.ts';

/**
 * One line about the selected instance: what the table has no room for (runtime, registry face, version
 * and weight, calls served since the start, registry id, heartbeat and lease, last error).
 */
export function detailLine(v: InstanceView | undefined, width: number): Line {
  if (!v) return [seg('  no instance selected', 'dim')];
  const parts: Line = [seg('  ↳ ', 'dim'), seg(v.instance, 'title'), seg(' '), seg(v.state, stateTone(v.state)), seg(`  ${v.runtime}`, 'dim')];
  if (v.ref) parts.push(seg(` ${v.ref}`, 'dim'));
  if (v.watched) parts.push(seg('  reload on save', 'dim'));
  const registration = registrationText(v);
  if (registration) parts.push(seg(`  via ${registration}`));
  if (v.served && v.served.requests > 0) parts.push(seg(`  served ${v.served.requests} (${v.served.errors} failed)`, 'dim'));
  if (v.heartbeatAgeMs !== undefined || v.leaseLeftMs !== undefined) {
    parts.push(seg(`  hb ${formatDuration(v.heartbeatAgeMs)} ago, lease ${formatDuration(v.leaseLeftMs)} left`));
  }
  if (v.lastError) parts.push(seg('  last error: ', 'dim'), seg(v.lastError, 'bad'));
  if (v.registryId) parts.push(seg(`  ${v.registryId}`, 'dim'));
  return fitLine(parts, width);
}
