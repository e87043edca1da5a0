/**
 * `micro-dev chaos`: random faults on a running `up` for a while (runner/chaos/chaos-monkey.ts), through its
 * control API. Ctrl-C / SIGTERM stop it early; either way every fault it put on is taken off before it exits.
 * Exit 0 when everything healed, 1 when a heal failed (the faults left are named).
 */
import { parseCli, configPath, requireRunning } from '../cli-args.ts';
import { RemoteOrchestrator } from '../../control/control-client.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { parseDuration } from '../../config/parse-duration.ts';
import { didYouMean } from '../../config/did-you-mean.ts';
import { ChaosFaultKinds, runChaos, type ChaosFault } from '../../chaos/chaos-monkey.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli('chaos', args, {
    duration: { type: 'string' },
    every: { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    hold: { type: 'string' },
  });
  const durationMs = duration('--duration', values.duration ?? '1h');
  const everyMs = duration('--every', values.every ?? '5s');
  if (everyMs <= 0) throw new MicroDevError('BAD_ARGUMENTS', 'chaos: --every must be more than 0');
  const holdMs = values.hold === undefined ? undefined : holdRange(values.hold);
  const faults = faultList(values.faults);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new MicroDevError('BAD_ARGUMENTS', `chaos: --seed must be an integer, got ${JSON.stringify(values.seed)}`);

  const info = await requireRunning(configPath(values.config));
  const remote = await RemoteOrchestrator.connect(info);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`chaos on ${info.topology} for ${values.duration ?? '1h'}, a fault every ${values.every ?? '5s'} from ${faults.join(', ')}; seed ${seed} (--seed ${seed} replays the choices)`);
  try {
    const summary = await runChaos(remote, { durationMs, everyMs, faults, seed, holdMs, signal: stop.signal, log });
    log(`chaos done: ${summary.applied} faults, ${summary.healed} healed${summary.unhealed.length ? `, NOT healed: ${summary.unhealed.join('; ')}` : ''}`);
    return summary.unhealed.length ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    remote.close();
  }
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new MicroDevError('BAD_ARGUMENTS', `chaos: ${flag} ${JSON.stringify(text)} is not a duration (300ms, 5s, 1m30s, 1h)`);
  return ms;
}

function holdRange(text: string): [number, number] {
  const [a, b = a] = text.split('-');
  const range: [number, number] = [duration('--hold', a), duration('--hold', b)];
  if (range[0] > range[1]) throw new MicroDevError('BAD_ARGUMENTS', `chaos: --hold ${text}: the first duration must not exceed the second`);
  return range;
}

function faultList(text: string | undefined): ChaosFault[] {
  if (text === undefined) return [...ChaosFaultKinds];
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new MicroDevError('BAD_ARGUMENTS', 'chaos: --faults needs at least one fault');
  for (const name of names) {
    if (!(ChaosFaultKinds as readonly string[]).includes(name)) {
      const guess = didYouMean(name, ChaosFaultKinds);
      throw new MicroDevError('BAD_ARGUMENTS', `chaos: unknown fault ${JSON.stringify(name)}${guess ? `; did you mean ${guess}?` : ''}`, {
        hints: [`known: ${ChaosFaultKinds.join(', ')}`],
      });
    }
  }
  return names as ChaosFault[];
}
