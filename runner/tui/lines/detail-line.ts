import type { InstanceView } from '../../engine/api.ts';
import { formatDuration } from './format.ts';
import { fitLine, seg, type Line } from './line.ts';
import { stateTone } from './state-tone.ts';

/**
 * One line about the selected instance: what the table has no room for (runtime, registry id, heartbeat
 * and lease, last error).
 */
export function detailLine(v: InstanceView | undefined, width: number): Line {
  if (!v) return [seg('  no instance selected', 'dim')];
  const parts: Line = [seg('  ↳ ', 'dim'), seg(v.instance, 'title'), seg(' '), seg(v.state, stateTone(v.state)), seg(`  ${v.runtime}`, 'dim')];
  if (v.ref) parts.push(seg(` ${v.ref}`, 'dim'));
  if (v.watched) parts.push(seg('  reload on save', 'dim'));
  if (v.heartbeatAgeMs !== undefined || v.leaseLeftMs !== undefined) {
    parts.push(seg(`  hb ${formatDuration(v.heartbeatAgeMs)} ago, lease ${formatDuration(v.leaseLeftMs)} left`));
  }
  if (v.lastError) parts.push(seg('  last error: ', 'dim'), seg(v.lastError, 'bad'));
  if (v.registryId) parts.push(seg(`  ${v.registryId}`, 'dim'));
  return fitLine(parts, width);
}
