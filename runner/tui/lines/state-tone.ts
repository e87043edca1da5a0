import type { InstanceState } from '../../engine/api.ts';
import type { Tone } from './line.ts';

/** Colour family of each state; the word itself is always printed too (NO_COLOR, colour-blind users). */
const TONES: Record<InstanceState, Tone> = {
  pending: 'dim',
  starting: 'info',
  ready: 'ok',
  unhealthy: 'warn',
  stopping: 'dim',
  stopped: 'dim',
  crashed: 'bad',
  backoff: 'warn',
  failed: 'bad',
  paused: 'accent',
};

export function stateTone(state: InstanceState): Tone {
  return TONES[state] ?? 'dim';
}
