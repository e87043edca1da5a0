import { formatRate } from './format.ts';
import { fitLine, seg, titleLine, type Line } from './line.ts';
import { sparkline } from './sparkline.ts';

/** Gateway traffic: a sparkline of req/s (one sample per second, newest right) with now and max. */
export function trafficLines(gatewayRps: readonly number[], o: { width: number; compact?: boolean }): Line[] {
  const last = gatewayRps.length ? gatewayRps[gatewayRps.length - 1] : 0;
  const max = gatewayRps.length ? Math.max(...gatewayRps) : 0;
  const label = ` ${formatRate(last)} req/s`;
  if (o.compact) {
    const prefix = 'gw ';
    const w = Math.max(0, Math.min(30, o.width - prefix.length - label.length));
    return [fitLine([seg(prefix, 'dim'), seg(sparkline(gatewayRps, w), 'accent'), seg(label)], o.width)];
  }
  const w = Math.max(0, o.width - label.length);
  return [
    titleLine('Gateway traffic', o.width, [seg(` max ${formatRate(max)} req/s`, 'dim')]),
    fitLine([seg(sparkline(gatewayRps, w), 'accent'), seg(label)], o.width),
  ];
}
