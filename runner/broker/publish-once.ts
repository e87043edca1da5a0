/**
 * publishOnce: what `micro-dev publish TOPIC JSON` calls. Sends the JSON (validated here) to a broker's
 * `/publish?topic=T` with Content-Type application/json and resolves with how many subscribers got it.
 * `brokerUrl` is `http://host:port` or `host:port` of the broker (Topology.broker).
 * Throws MicroDevError BAD_ARGUMENTS for invalid JSON or topic, CALL_FAILED when the broker fails.
 */
import { randomUUID } from 'node:crypto';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { publishToBroker } from '../gateway/kit-backend.ts';

export async function publishOnce(brokerUrl: string, topic: string, json: string): Promise<{ delivered: number }> {
  if (topic.trim() === '') throw new MicroDevError('BAD_ARGUMENTS', 'publish: TOPIC is empty');
  try {
    JSON.parse(json);
  } catch (e) {
    throw new MicroDevError('BAD_ARGUMENTS', `publish ${topic}: message is not valid JSON: ${(e as Error).message}`);
  }
  try {
    const delivered = await publishToBroker(brokerUrl, topic, Buffer.from(json), {
      'Content-Type': 'application/json',
      'Micro-Topic': topic,
      'Micro-Id': randomUUID(),
    });
    return { delivered };
  } catch (e) {
    throw new MicroDevError('CALL_FAILED', `publish ${topic} via broker ${brokerUrl} failed: ${(e as Error).message}`, { cause: e });
  }
}
