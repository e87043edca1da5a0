import { badRequest } from './consul-http-error.ts';
import { CHECK_TYPE, toCheckDefinition, type DecodeOptions } from './decode-service-definition.ts';
import { CheckStatuses, type CheckDefinition } from './registry-types.ts';
import { decodeStruct, parseJsonBody, type Decoded } from './strict-json.ts';

const CHECK_DEFINITION = {
  name: 'CheckDefinition',
  fields: {
    ...CHECK_TYPE.fields,
    ID: { kind: 'string' as const },
    ServiceID: { kind: 'string' as const, aliases: ['service_id'] },
    Token: { kind: 'string' as const },
    Namespace: { kind: 'string' as const },
    Partition: { kind: 'string' as const },
  },
};

/**
 * Decodes a `PUT /v1/agent/check/register` body (structs.CheckDefinition): the CheckType fields plus ID
 * (defaults to Name) and ServiceID. Throws ConsulHttpError(400) with Consul's texts.
 */
export function decodeCheckDefinition(body: string, opts: DecodeOptions): { serviceId: string; check: CheckDefinition } {
  let d: Decoded;
  try {
    d = decodeStruct(parseJsonBody(body), CHECK_DEFINITION);
  } catch (e) {
    throw badRequest(`Request decode failed: ${(e as Error).message}`);
  }
  const name = (d.Name as string | undefined) ?? '';
  if (name === '') throw badRequest('Missing check name');
  const status = (d.Status as string | undefined) ?? '';
  if (status !== '' && !(CheckStatuses as string[]).includes(status)) throw badRequest('Bad check status');
  const check = toCheckDefinition(d, opts);
  check.checkId = (d.ID as string | undefined) || (d.CheckID as string | undefined) || name;
  return { serviceId: (d.ServiceID as string | undefined) ?? '', check };
}
