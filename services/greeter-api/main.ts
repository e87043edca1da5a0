/**
 * go.micro.api.greeter (ex:greeter/api/api.go and api/rpc/rpc.go), behind `micro api --handler=api`:
 *   Say.Hello     api.Request {get:{name:{key,values}}} -> api.Response {statusCode:200, body:'{"message":...}'}
 *                 no name -> BadRequest("go.micro.api.greeter", "Name cannot be blank")
 *   Greeter.Hello {name} -> {msg}  (the rpc variant)
 * Both call go.micro.srv.greeter Say.Hello through the kit client.
 */
import { newService } from '../kit/service.ts';
import { MicroError } from '../kit/errors.ts';
import { goJson } from '../kit/go-json.ts';

const ID = 'go.micro.api.greeter';
const SRV = 'go.micro.srv.greeter';

interface Pair {
  key?: string;
  values?: string[];
}

const service = newService({ name: ID });

service.handle('Say.Hello', async (req: { get?: Record<string, Pair | string> }, ctx) => {
  const pair = req?.get?.name;
  // The 2016 docs show `get` flattened to strings; accept that too.
  const values = typeof pair === 'string' ? [pair] : (pair?.values ?? []);
  if (values.length === 0) throw MicroError.badRequest(ID, 'Name cannot be blank');
  const rsp = await service.client.call<{ msg?: string }>(SRV, 'Say.Hello', { name: values.join(' ') }, { signal: ctx.signal });
  return { statusCode: 200, body: goJson({ message: rsp?.msg ?? '' }) };
});

service.handle('Greeter.Hello', async (req: { name?: string }, ctx) => {
  const rsp = await service.client.call<{ msg?: string }>(SRV, 'Say.Hello', { name: req?.name ?? '' }, { signal: ctx.signal });
  return { msg: rsp?.msg ?? '' };
});

await service.run();
