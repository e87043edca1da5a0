import type { InstanceView } from '../../engine/api.ts';
import { formatDuration, formatPercent, formatRate } from './format.ts';
import { instanceFilterWords, instanceMatches } from './instance-filter.ts';
import { orderInstances, TierOrder } from './instance-order.ts';
import { fitLine, pad, padStart, seg, titleLine, type Line, type Segment } from './line.ts';
import { stateTone } from './state-tone.ts';

interface Column {
  title: string;
  width: number;
  /** Lower stays longer when the terminal is narrow. */
  priority: number;
  right?: boolean;
  cell(v: InstanceView): Segment;
}

const STATE_WIDTH = 9; // 'unhealthy'

function faultsCell(v: InstanceView): Segment {
  // lastError is not a fault: it goes on the selection's detail line.
  return v.faults?.length ? seg(faultsText(v), 'warn') : seg('');
}

function faultsText(v: InstanceView): string {
  return (v.faults ?? []).join(',');
}

/** `nacos v2 w10`: the registry face it came through, its version and selector weight (only what it has). */
export function registrationText(v: InstanceView): string {
  return [v.face ?? '', v.version ? v.version : '', v.weight !== undefined ? `w${formatWeight(v.weight)}` : ''].filter(Boolean).join(' ');
}

function formatWeight(w: number): string {
  return Number.isInteger(w) ? String(w) : w.toFixed(1);
}

/**
 * Face, version and weight matter when a topology mixes them (Eureka/Nacos clients, a canary beside the
 * old version, weights): the REGISTRATION column is there only then, so a plain Consul topology (every
 * instance go-micro's default version `latest`) keeps its layout.
 */
function showsRegistration(instances: readonly InstanceView[]): boolean {
  const versions = new Set(instances.flatMap((v) => (v.version ? [v.version] : [])));
  return versions.size > 1 || instances.some((v) => (v.face !== undefined && v.face !== 'consul') || v.weight !== undefined);
}

function columns(nameWidth: number, faultsWidth: number, registrationWidth: number): Column[] {
  return [
    { title: 'INSTANCE', width: nameWidth, priority: 0, cell: (v) => seg(v.instance) },
    { title: 'STATE', width: STATE_WIDTH, priority: 0, cell: (v) => seg(v.state, stateTone(v.state)) },
    // Right after the state: an active fault is what the user just toggled, it outranks the numbers.
    { title: 'FAULTS', width: faultsWidth, priority: 1, cell: faultsCell },
    ...(registrationWidth > 0 ? [{ title: 'REGISTRATION', width: registrationWidth, priority: 2, cell: (v: InstanceView) => seg(registrationText(v) || '-', 'dim') }] : []),
    { title: 'ADDRESS', width: 15, priority: 2, cell: (v) => seg(v.address ?? '-') },
    { title: 'REF', width: 10, priority: 6, cell: (v) => seg(v.ref ?? '-', 'dim') },
    { title: 'RST', width: 3, priority: 4, right: true, cell: (v) => seg(String(v.restarts), v.restarts > 0 ? 'warn' : undefined) },
    { title: 'HB', width: 6, priority: 7, right: true, cell: (v) => seg(formatDuration(v.heartbeatAgeMs)) },
    {
      title: 'LEASE',
      width: 6,
      priority: 3,
      right: true,
      cell: (v) => seg(formatDuration(v.leaseLeftMs), v.leaseLeftMs !== undefined && v.leaseLeftMs <= 0 ? 'bad' : undefined),
    },
    { title: 'REQ/S', width: 5, priority: 3, right: true, cell: (v) => seg(formatRate(v.traffic?.rps)) },
    {
      title: 'ERR',
      width: 5,
      priority: 3,
      right: true,
      cell: (v) => seg(formatPercent(v.traffic?.errorRate), (v.traffic?.errorRate ?? 0) > 0 ? 'bad' : undefined),
    },
    { title: 'P99', width: 5, priority: 5, right: true, cell: (v) => seg(v.traffic ? formatDuration(v.traffic.p99) : '-') },
  ];
}

/** Columns that fit: drop the highest priority numbers first. */
function fitColumns(all: Column[], width: number): Column[] {
  let cols = all;
  const total = (cs: Column[]) => cs.reduce((n, c) => n + c.width + 1, 2);
  while (total(cols) > width) {
    const worst = Math.max(...cols.map((c) => c.priority));
    if (worst === 0) break;
    const idx = cols.map((c) => c.priority).lastIndexOf(worst);
    cols = cols.filter((_, i) => i !== idx);
  }
  return cols;
}

function cellText(c: Column, s: Segment, last: boolean): Segment {
  return { ...s, text: (c.right ? padStart(s.text, c.width) : pad(s.text, c.width)) + (last ? '' : ' ') };
}

export interface InstanceLinesOptions {
  width: number;
  /** At most this many lines (title included); the window follows the selection. */
  maxLines: number;
  selected?: string;
  /** Compact: no title, no column header, no tier headings (the tier is a prefix instead). */
  compact?: boolean;
  /**
   * The `/` filter (instance-filter.ts): only matching instances are listed, each on a line of its own (a
   * summarized service's summary counts its matches); the title says how many match.
   */
  filter?: string;
}

/**
 * A service with this many instances or more gets one summary line (counts per state, its traffic, its
 * restarts) and a line only for the instances worth a look: not ready, with a fault, or selected (↑/↓
 * still walks every instance, each shown under the summary as it is selected). A thousand replicas would
 * otherwise fill the pane with a thousand identical lines; a few dozen still scroll one line each.
 */
export const SUMMARY_FROM = 50;

function summaryLine(service: string, views: readonly InstanceView[], width: number, compact: boolean, of?: number): Line {
  const states = new Map<string, number>();
  for (const v of views) states.set(v.state, (states.get(v.state) ?? 0) + 1);
  const counts = [...states].sort((a, b) => b[1] - a[1]).flatMap(([state, n], i) => [seg(i ? ', ' : ''), seg(`${n} ${state}`, stateTone(state as InstanceView['state']))]);
  let rps = 0;
  let requests = 0;
  let errors = 0;
  let restarts = 0;
  for (const v of views) {
    rps += v.traffic?.rps ?? 0;
    requests += v.traffic?.requests ?? 0;
    errors += v.traffic?.errors ?? 0;
    restarts += v.restarts;
  }
  const faulted = views.filter((v) => v.faults?.length).length;
  return fitLine(
    [
      seg(compact ? '  ' + pad(views[0]!.tier, 4) : '  '),
      seg(`${service} x${views.length}${of !== undefined && of !== views.length ? ` of ${of}` : ''}  `, 'accent'),
      ...counts,
      seg(`  req/s ${formatRate(rps)}  err ${requests ? formatPercent(errors / requests) : '-'}  restarts ${restarts}`, 'dim'),
      ...(faulted ? [seg(`  ${faulted} with faults`, 'warn')] : []),
    ],
    width,
  );
}

/**
 * Rows the pane's body needs (no title, header or tier headings): a line per instance, and for a
 * summarized service its summary, the instances worth a line and one more for the selection.
 */
export function instanceRowCount(instances: readonly InstanceView[], filter?: string): number {
  const words = instanceFilterWords(instances, filter);
  const perService = new Map<string, InstanceView[]>();
  for (const v of instances) {
    const list = perService.get(v.service);
    if (list) list.push(v);
    else perService.set(v.service, [v]);
  }
  let rows = 0;
  for (const views of perService.values()) {
    if (words.length > 0) {
      // Filtered: every match has a line, under its summary when the service is summarized.
      const matches = views.filter((v) => instanceMatches(v, words)).length;
      rows += matches === 0 ? 0 : matches + (views.length < SUMMARY_FROM ? 0 : 1);
      continue;
    }
    rows += views.length < SUMMARY_FROM ? views.length : 2 + views.filter((v) => v.state !== 'ready' || (v.faults?.length ?? 0) > 0).length;
  }
  return rows;
}

/** The services pane: instances grouped by tier, one line each, the selected one marked with '>'. */
export function instanceLines(instances: readonly InstanceView[], o: InstanceLinesOptions): Line[] {
  const everyone = orderInstances(instances);
  const words = instanceFilterWords(everyone, o.filter);
  const all = words.length === 0 ? everyone : everyone.filter((v) => instanceMatches(v, words));
  const serviceSize = new Map<string, number>();
  for (const v of everyone) serviceSize.set(v.service, (serviceSize.get(v.service) ?? 0) + 1);
  const byService = new Map<string, InstanceView[]>();
  for (const v of all) {
    const list = byService.get(v.service);
    if (list) list.push(v);
    else byService.set(v.service, [v]);
  }
  const summarized = new Set([...serviceSize].filter(([, n]) => n >= SUMMARY_FROM).map(([name]) => name));
  // Filtered, every match is worth a line: the user asked for them.
  const worthALine = (v: InstanceView) => words.length > 0 || v.instance === o.selected || v.state !== 'ready' || (v.faults?.length ?? 0) > 0;
  const ordered = all.filter((v) => !summarized.has(v.service) || worthALine(v));
  const nameWidth = Math.min(24, Math.max(8, ...ordered.map((v) => v.instance.length)));
  const faultsWidth = Math.min(34, Math.max(6, ...ordered.map((v) => faultsText(v).length)));
  const registrationWidth = showsRegistration(ordered) ? Math.min(20, Math.max(12, ...ordered.map((v) => registrationText(v).length))) : 0;
  const cols = fitColumns(columns(nameWidth, faultsWidth, registrationWidth), o.compact ? o.width - 4 : o.width);
  const header: Line[] = [];
  if (!o.compact) {
    const ready = everyone.filter((v) => v.state === 'ready').length;
    const filter = o.filter?.trim();
    const matching = !filter ? [] : words.length > 0 ? [seg(`  filter "${filter}": ${all.length} match`, 'warn')] : [seg(`  filter "${filter}": no instance matches (logs only)`, 'dim')];
    header.push(titleLine('Services', o.width, [seg(` ${ready}/${everyone.length} ready`, 'dim'), ...matching]));
    header.push(fitLine([seg('  ' + cols.map((c, i) => cellText(c, seg(c.title), i === cols.length - 1).text).join(''), 'dim')], o.width));
  }
  const body: Line[] = [];
  let selectedRow = -1;
  let tier = '';
  const summaryShown = new Set<string>();
  const tierHeading = (v: InstanceView) => {
    if (!o.compact && v.tier !== tier) {
      tier = v.tier;
      body.push([seg((TierOrder as readonly string[]).includes(tier) ? tier : 'other', 'accent')]);
    }
  };
  for (const v of all) {
    if (summarized.has(v.service) && !summaryShown.has(v.service)) {
      summaryShown.add(v.service);
      tierHeading(v);
      body.push(summaryLine(v.service, byService.get(v.service)!, o.width, o.compact === true, serviceSize.get(v.service)));
    }
    if (summarized.has(v.service) && !worthALine(v)) continue;
    tierHeading(v);
    const isSel = v.instance === o.selected;
    if (isSel) selectedRow = body.length;
    const prefix = isSel ? seg('> ', 'selected') : seg('  ');
    const tierTag = o.compact ? [seg(pad(v.tier, 4), 'accent')] : [];
    body.push(fitLine([prefix, ...tierTag, ...cols.map((c, i) => cellText(c, c.cell(v), i === cols.length - 1))], o.width));
  }
  if (all.length === 0) body.push([seg('  no instances yet', 'dim')]);
  const room = Math.max(1, o.maxLines - header.length);
  if (body.length <= room) return [...header, ...body];
  // Keep the selection visible; the last line says how much is hidden.
  const visible = room - 1;
  const start = Math.min(Math.max(0, selectedRow - Math.floor(visible / 2)), body.length - visible);
  const hidden = body.length - visible;
  return [...header, ...body.slice(start, start + visible), [seg(`  … ${hidden} more lines (↑↓ pgup pgdn home end)`, 'dim')]];
}
