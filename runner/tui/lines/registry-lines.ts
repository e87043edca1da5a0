import type { RegistryView } from '../../engine/api.ts';
import { fitLine, seg, titleLine, type Line } from './line.ts';

/** Registry pane: passing / critical, renew rate against the threshold, self-preservation, lock holders. */
export function registryLines(r: RegistryView, o: { width: number; compact?: boolean }): Line[] {
  const counts: Line = [
    seg('passing '),
    seg(String(r.passing), 'ok'),
    seg('  critical '),
    seg(String(r.critical), r.critical > 0 ? 'bad' : undefined),
  ];
  const renew: Line = [];
  if (r.renewsLastMin !== undefined) {
    const below = r.renewThreshold !== undefined && r.renewsLastMin < r.renewThreshold;
    renew.push(seg('renews '), seg(`${Math.round(r.renewsLastMin)}/min`, below ? 'warn' : 'ok'));
    if (r.renewThreshold !== undefined) renew.push(seg(` ${below ? '<' : '>='} threshold ${Math.round(r.renewThreshold)}`));
  }
  const sp: Line =
    r.selfPreservation === undefined
      ? []
      : [seg('self-preservation '), r.selfPreservation ? seg('ON', 'warn') : seg('off', 'dim')];
  if (o.compact) {
    const parts: Line = [seg('reg ', 'dim'), ...counts];
    if (r.locks?.length) parts.push(seg('  '), ...lockSegs(r.locks[0]!), ...(r.locks.length > 1 ? [seg(` +${r.locks.length - 1}`, 'dim')] : []));
    if (renew.length) parts.push(seg('  '), ...renew);
    if (sp.length) parts.push(seg('  '), ...sp);
    return [fitLine(parts, o.width)];
  }
  const lines: Line[] = [
    titleLine('Registry', o.width, [seg(` ${r.kind}/${r.semantics}`, 'dim')]),
    fitLine(counts, o.width),
  ];
  lines.push(fitLine(renew.length ? renew : [seg('renews -', 'dim')], o.width));
  lines.push(fitLine(sp.length ? sp : [seg(`leases: ${r.semantics} model`, 'dim')], o.width));
  const locks = r.locks ?? [];
  for (const l of locks.slice(0, MAX_LOCK_LINES)) lines.push(fitLine(lockSegs(l), o.width));
  if (locks.length > MAX_LOCK_LINES) lines.push(fitLine([seg(`+${locks.length - MAX_LOCK_LINES} more locks`, 'dim')], o.width));
  return lines;
}

const MAX_LOCK_LINES = 3;

/** `lock <key> <holder>`: who holds which KV lock (leader election). */
function lockSegs(l: { key: string; holder: string }): Line {
  return [seg('lock ', 'dim'), seg(l.key), seg(' '), seg(l.holder, 'ok')];
}
