import { parseCli, configPath, startHint } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { formatRegistryStatus } from '../../registry/format-status.ts';
import type { RegistryStatus } from '../../registry/registry-types.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** `micro-dev registry status`: the lease model's live state, from the embedded registry's status route. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('registry', args, { json: { type: 'boolean' } });
  if (positionals[0] !== 'status' || positionals.length > 1) {
    throw new MicroDevError('BAD_ARGUMENTS', `registry: unknown subcommand "${positionals.join(' ')}"; try: micro-dev registry status`);
  }
  const file = configPath(values.config);
  const targets = await resolveTargets(file);
  let res: Response;
  try {
    res = await fetch(`http://${targets.registry}/v1/micro-dev/status`, { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    // fetch says only "fetch failed"; the cause (ECONNREFUSED, a timeout) is what a user can act on.
    const cause = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED' ? 'connection refused' : (error as Error).message;
    throw new MicroDevError('NOT_RUNNING', `the registry at ${targets.registry} is not answering (${cause})`, {
      hints: targets.running ? [] : [startHint(file)],
    });
  }
  if (res.status === 404) {
    throw new MicroDevError('CALL_FAILED', `the registry at ${targets.registry} has no lease-model status (a real Consul?)`);
  }
  const status = (await res.json()) as RegistryStatus;
  process.stdout.write(values.json ? JSON.stringify(status, null, 2) + '\n' : formatRegistryStatus(status) + '\n');
  return 0;
}
