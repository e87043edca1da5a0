/**
 * go.micro.api.polyglot: a TypeScript service (the kit) that calls the greeter, the Go service and the Python
 * service through its client (and so through the proxy, on its own egress link).
 *
 *   Polyglot.All  {name} -> {greeter, go, python}                      (/rpc, the proxy)
 *   Say.Hello     api handler: GET /polyglot/say/hello?name=John -> the same three answers as JSON
 */
import { newService } from '../../../../services/kit/service.ts';
import { MicroError } from '../../../../services/kit/errors.ts';

const ID = 'go.micro.api.polyglot';
const service = newService({ name: ID });

async function all(name: string, signal: AbortSignal): Promise<{ greeter: string; go: string; python: string }> {
  const call = (target: string, endpoint: string) =>
    service.client.call<{ msg?: string }>(target, endpoint, { name }, { signal }).then((r) => r?.msg ?? '');
  const [greeter, go, python] = await Promise.all([
    call('go.micro.srv.greeter', 'Say.Hello'),
    call('go.micro.api.hello-go', 'Greeter.Hello'),
    call('go.micro.api.hello-py', 'Greeter.Hello'),
  ]);
  return { greeter, go, python };
}

service.handle('Polyglot.All', (req: { name?: string }, ctx) => all(req?.name ?? '', ctx.signal));

service.handle('Say.Hello', async (req: { get?: Record<string, { values?: string[] }> }, ctx) => {
  const name = (req?.get?.name?.values ?? []).join(' ');
  if (!name) throw MicroError.badRequest(ID, 'Name cannot be blank');
  return { statusCode: 200, body: JSON.stringify(await all(name, ctx.signal)) };
});

await service.run();
