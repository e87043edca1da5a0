import type { RegistryMemberView, RegistryView } from '../../engine/api.ts';
import { fitLine, seg, titleLine, type Line, type Tone } from './line.ts';

/**
 * Registry pane: passing / critical, renew rate against the threshold, self-preservation, lock holders, and
 * for a registry of several members (etcd, Eureka peers) each member's role, term, address and faults.
 */
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
    if (r.members?.length) parts.push(seg('  '), ...membersSummary(r.members));
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
  for (const m of r.members ?? []) lines.push(fitLine(memberSegs(m), o.width));
  return lines;
}

const ROLE_TONE: Record<RegistryMemberView['role'], Tone | undefined> = { leader: 'ok', follower: undefined, peer: undefined, 'no-leader': 'warn', down: 'bad' };

/** `etcd-1 leader t4 127.0.0.1:23501 partition`: one member, its role (and raft term), address and faults. */
function memberSegs(m: RegistryMemberView): Line {
  const line: Line = [seg(m.name), seg(' '), seg(m.role, ROLE_TONE[m.role])];
  if (m.term !== undefined) line.push(seg(` t${m.term}`, 'dim'));
  line.push(seg(` ${m.address}`, 'dim'));
  if (m.faults.length) line.push(seg(` ${m.faults.join(' ')}`, 'bad'));
  return line;
}

/** `members 2/3 up, leader etcd-1` (compact): how many answer and who leads, or that nobody does. */
function membersSummary(members: readonly RegistryMemberView[]): Line {
  const up = members.filter((m) => m.role !== 'down').length;
  const leader = members.find((m) => m.role === 'leader')?.name;
  const consensus = members.some((m) => m.role === 'leader' || m.role === 'follower' || m.role === 'no-leader');
  const line: Line = [seg('members '), seg(`${up}/${members.length} up`, up < members.length ? 'warn' : 'ok')];
  if (consensus) line.push(leader ? seg(`, leader ${leader}`) : seg(', no leader', 'bad'));
  return line;
}

const MAX_LOCK_LINES = 3;

/** `lock <key> <holder>`: who holds which KV lock (leader election). */
function lockSegs(l: { key: string; holder: string }): Line {
  return [seg('lock ', 'dim'), seg(l.key), seg(' '), seg(l.holder, 'ok')];
}
