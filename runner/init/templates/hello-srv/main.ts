/**
 * go.micro.srv.hello, a sample service written by `npx micro-dev init`.
 *   Say.Hello {name} -> {msg}
 *
 * micro-dev starts it with the MICRO_* environment (registry address, the address to bind and advertise,
 * heartbeat interval...); newService reads it, registers the service, heartbeats and stops cleanly.
 */
import { MicroError, newService } from 'micro-dev-orchestrator/kit';

const NAME = 'go.micro.srv.hello';
const service = newService({ name: NAME });

service.handle<{ name?: string }>('Say.Hello', (req) => {
  if (!req?.name) throw MicroError.badRequest(NAME, 'name cannot be blank');
  return { msg: `Hello ${req.name}` };
});

await service.run();
