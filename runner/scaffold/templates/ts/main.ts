/**
 * {{NAME}}: a go-micro style service in TypeScript, written with micro-dev's kit (it registers, heartbeats,
 * answers go-micro's HTTP transport and deregisters on SIGTERM for you; docs/writing-a-service.md in
 * micro-dev is the contract underneath).
 *
 *   Greeter.Hello  {name} -> {msg: "Hello <name> from {{NAME}}"}      (/rpc, the proxy, other services)
 *   Say.Hello      the gateway's api handler: GET /{{NAME}}/say/hello?name=John -> {"message": ...}
 */
import { MicroError, newService } from 'micro-dev-orchestrator/kit';

const SERVICE = 'go.micro.api.{{NAME}}';
const greeting = (name: string) => `Hello ${name} from {{NAME}}`;

const service = newService({ name: SERVICE });

service.handle('Greeter.Hello', (req: { name?: string }) => ({ msg: greeting(req?.name ?? '') }));

service.handle('Say.Hello', (req: { get?: Record<string, { values?: string[] }> }) => {
  const name = (req?.get?.name?.values ?? []).join(' ');
  if (!name) throw MicroError.badRequest(SERVICE, 'Name cannot be blank');
  return { statusCode: 200, body: JSON.stringify({ message: greeting(name) }) };
});

await service.run();
