import { parseCli, configPath, startHint } from '../cli-args.ts';
import { resolveTargets } from '../targets.ts';
import { publishOnce } from '../../broker/publish-once.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** `micro-dev publish TOPIC JSON`: one message through the running broker, to every subscriber of TOPIC. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('publish', args, {});
  const [topic, json] = positionals;
  if (!topic || json === undefined || positionals.length > 2) {
    throw new MicroDevError('BAD_ARGUMENTS', 'publish needs TOPIC JSON, e.g. micro-dev publish go.micro.srv.greeter \'{"say":"hi"}\'');
  }
  const file = configPath(values.config);
  const targets = await resolveTargets(file);
  if (!targets.running || !targets.broker) {
    throw new MicroDevError('NOT_RUNNING', 'publish needs a running micro-dev up (the broker lives in it)', {
      hints: [startHint(file)],
    });
  }
  const { delivered } = await publishOnce(targets.broker, topic, json);
  process.stdout.write(`published to ${topic}: ${delivered} subscriber(s)\n`);
  return 0;
}
