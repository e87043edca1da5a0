import type { Snapshot } from '../engine/api.ts';

/** Plain-text status of a running `up` (no colours, fits 100 columns). */
export function formatStatus(s: Snapshot, pid: number): string {
  const uptime = Math.round((Date.now() - s.startedAt) / 1000);
  const rows = s.instances.map((i) => [
    i.instance,
    i.tier,
    i.runtime,
    i.state,
    i.address ?? '-',
    i.ref ?? '-',
    String(i.restarts),
    i.faults.join(',') || '-',
  ]);
  const header = ['INSTANCE', 'TIER', 'RUNTIME', 'STATE', 'ADDRESS', 'REF', 'RESTARTS', 'FAULTS'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  const r = s.registry;
  return [
    `${s.topology}: ${s.ready ? 'ready' : 'starting'} (pid ${pid}, up ${uptime} s)`,
    `gateway ${s.urls.gateway}  proxy ${s.urls.proxy}  web ${s.urls.web}  registry ${s.urls.registry}`,
    `registry ${r.kind}/${r.semantics}: ${r.passing} passing, ${r.critical} critical` +
      (r.selfPreservation !== undefined ? `, self-preservation ${r.selfPreservation ? 'ON' : 'off'}` : ''),
    '',
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}
