import { parseCli, configPath } from '../cli-args.ts';
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
  const targets = await resolveTargets(configPath(values.config));
  const client = new Client({ proxyAddress: targets.proxy, timeoutMs });
  try {
    const answer = await client.call(service, endpoint, body, { timeoutMs });
    process.stdout.write(JSON.stringify(answer, null, 2) + '\n');
    return 0;
  } catch (error) {
    if (error instanceof MicroError) {
      process.stderr.write(`${JSON.stringify(error)}\n`);
      return 1;
    }
    throw new MicroDevError('CALL_FAILED', `call ${service} ${endpoint} through the proxy at ${targets.proxy} failed: ${(error as Error).message}`, {
      hints: targets.running ? [] : ['is micro-dev up running? start it with: npx micro-dev up'],
    });
  } finally {
    await client.close();
  }
}
