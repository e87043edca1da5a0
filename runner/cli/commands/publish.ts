import { parseCli, configPath } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** `micro-dev publish TOPIC JSON`: one message through the running broker (`POST /publish?topic=`). */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('publish', args, {});
  const [topic, json] = positionals;
  if (!topic || json === undefined || positionals.length > 2) {
    throw new MicroDevError('BAD_ARGUMENTS', 'publish needs TOPIC JSON, e.g. micro-dev publish go.micro.srv.greeter \'{"say":"hi"}\'');
  }
  try {
    JSON.parse(json);
  } catch (error) {
    throw new MicroDevError('BAD_ARGUMENTS', `publish: the message is not valid JSON (${(error as Error).message}): ${json}`);
  }
  const targets = await resolveTargets(configPath(values.config));
  if (!targets.running || !targets.broker) {
    throw new MicroDevError('NOT_RUNNING', 'publish needs a running micro-dev up (the broker lives in it)', {
      hints: ['start it with: npx micro-dev up'],
    });
  }
  const res = await fetch(`http://${targets.broker}/publish?topic=${encodeURIComponent(topic)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: json,
  });
  const text = await res.text();
  process.stdout.write(`${res.status} ${text}\n`);
  return res.ok ? 0 : 1;
}
