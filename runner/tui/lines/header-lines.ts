import type { Snapshot } from '../../engine/api.ts';
import { formatDuration } from './format.ts';
import { fitLine, seg, type Line } from './line.ts';

/** Header: topology, readiness, uptime, registry model, gateway URL. Two lines, or one when compact. */
export function headerLines(s: Snapshot, o: { width: number; now: number; compact?: boolean; shutdown?: boolean }): Line[] {
  const uptime = formatDuration(o.now - s.startedAt);
  const status = o.shutdown
    ? seg('shut down', 'bad')
    : s.ready
      ? seg('ready', 'ok')
      : seg('starting', 'info');
  const model = `${s.registry.kind}/${s.registry.semantics}`;
  if (o.compact) {
    const gateway = s.urls.gateway.replace(/^https?:\/\//, '');
    return [fitLine([seg(s.topology, 'title'), seg(' '), status, seg(` up ${uptime}  `), seg(model, 'dim'), seg('  gw ', 'dim'), seg(gateway)], o.width)];
  }
  return [
    fitLine([seg('micro-dev ', 'accent'), seg(s.topology, 'title'), seg('  '), status, seg(`  up ${uptime}`)], o.width),
    fitLine(
      [seg('registry ', 'dim'), seg(`${model} ${s.registry.address}`), seg('  gateway ', 'dim'), seg(s.urls.gateway)],
      o.width,
    ),
  ];
}
