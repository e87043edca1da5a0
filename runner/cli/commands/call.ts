import { parseCli, configPath, startHint } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { Client } from '../../../services/kit/client.ts';
import { MicroError } from '../../../services/kit/errors.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** `micro-dev call SERVICE ENDPOINT [JSON]`: one call through the proxy, the answer printed as JSON. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('call', args, { timeout: { type: 'string' } });
  const [service, endpoint, json = '{}'] = positionals;
  if (!service || !endpoint || positionals.length > 3) {
    throw new MicroDevError('BAD_ARGUMENTS', 'call needs SERVICE ENDPOINT [JSON], e.g. micro-dev call go.micro.srv.greeter Say.Hello \'{"name":"John"}\'');
  }
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch (error) {
    throw new MicroDevError('BAD_ARGUMENTS', `call: the request is not valid JSON (${(error as Error).message}): ${json}`);
  }
  const timeoutMs = values.timeout === undefined ? 5000 : Number(values.timeout);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new MicroDevError('BAD_ARGUMENTS', `call: --timeout must be a positive number of milliseconds, got "${values.timeout}"`);
  }
  const file = configPath(values.config);
  const targets = await resolveTargets(file);
  const client = new Client({ proxyAddress: targets.proxy, timeoutMs });
  try {
    const answer = await client.call(service, endpoint, body, { timeoutMs });
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof MicroError && !targets.running && error.detail.startsWith('connection error')) {
      // Nothing listens where the config puts the proxy: say that up is not running, not go-micro's dial error.
      const why = error.detail.slice(error.detail.lastIndexOf(': ') + 2);
      throw new MicroDevError('NOT_RUNNING', `call ${service} ${endpoint}: micro-dev up is not running for ${file} and nothing answers at the proxy ${targets.proxy} (${why})`, {
        hints: [startHint(file)],
      });
    }
    if (error instanceof MicroError) {
      process.stderr.write(`${JSON.stringify(error)}\n`);
      return 1;
    }
    throw new MicroDevError('CALL_FAILED', `call ${service} ${endpoint} through the proxy at ${targets.proxy} failed: ${(error as Error).message}`, {
      hints: targets.running ? [] : [`is micro-dev up running? ${startHint(file)}`],
    });
  } finally {
    await client.close();
  }
}
