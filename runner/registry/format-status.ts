import type { RegistryStatus } from './registry-types.ts';

/**
 * Renders the lease model's state for `micro-dev registry status`: a summary, the model's own figures
 * (Eureka renewals vs threshold and self-preservation, Nacos protection), then one line per instance.
 * Lease times are shown in wall-clock terms (model ms x timeScale).
 */
export function formatRegistryStatus(status: RegistryStatus): string {
  const lines: string[] = [];
  const scale = status.timeScale === 1 ? '' : ` (timeScale ${status.timeScale})`;
  lines.push(`registry ${status.address}  model ${status.semantics}${scale}  profile ${status.profile}  index ${status.index}`);
  lines.push(
    `${status.services} service(s), ${status.instances} instance(s): ${status.passing} passing, ${status.warning} warning, ${status.critical} critical`,
  );
  if (status.semantics === 'eureka' && status.renewThreshold !== undefined) {
    const sp = status.selfPreservation ? 'ON (expiry disabled)' : 'off';
    lines.push(`renews last minute ${status.renewsLastMin ?? 0} / threshold ${status.renewThreshold}  self-preservation ${sp}`);
  }
  if (status.semantics === 'nacos' && status.protectedServices) {
    lines.push(`protect threshold reached for: ${status.protectedServices.length ? status.protectedServices.join(', ') : 'none'}`);
  }
  if (status.leases.length === 0) {
    lines.push('no instances registered');
    return lines.join('\n');
  }
  const rows = status.leases.map((l) => [
    l.serviceId,
    l.service,
    l.status,
    l.lastHeartbeatAgoMs === null ? 'never' : `${fmt(l.lastHeartbeatAgoMs * status.timeScale)} ago`,
    l.leaseLeftMs === null ? '-' : fmt(l.leaseLeftMs * status.timeScale),
  ]);
  const header = ['INSTANCE', 'SERVICE', 'STATUS', 'LAST HEARTBEAT', 'LEASE LEFT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(line(header), ...rows.map(line));
  return lines.join('\n');
}

function fmt(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}
