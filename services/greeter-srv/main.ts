/**
 * go.micro.srv.greeter (ex:greeter/srv/main.go): `Say.Hello` {name} -> {msg: "Hello <name>"}.
 * Runs as a worker_thread module or as `node services/greeter-srv/main.ts`.
 */
import { newService } from '../kit/service.ts';

const service = newService({ name: 'go.micro.srv.greeter' });

service.handle('Say.Hello', (req: { name?: string }) => ({ msg: 'Hello ' + (req?.name ?? '') }), {
  request: { name: 'Request', type: 'Request', values: [{ name: 'name', type: 'string', values: null }] },
  response: { name: 'Response', type: 'Response', values: [{ name: 'msg', type: 'string', values: null }] },
});

await service.run();
