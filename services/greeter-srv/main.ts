/**
 * go.micro.srv.greeter (ex:greeter/srv/main.go): `Say.Hello` {name} -> {msg: "Hello <name>"}.
 * Runs as a worker_thread module or as `node services/greeter-srv/main.ts`.
 *
 * GREETER_FAIL_RATE (0..1, default 0) makes it a broken release for drills (the `canary-rollback`
 * scenario's v2): that share of the calls answers go-micro's 500, spread evenly (every call at 1).
 */
import { MicroError } from '../kit/errors.ts';
import { newService } from '../kit/service.ts';

const service = newService({ name: 'go.micro.srv.greeter' });
const failRate = Math.min(1, Math.max(0, Number(process.env.GREETER_FAIL_RATE) || 0));
let calls = 0;

service.handle(
  'Say.Hello',
  (req: { name?: string }) => {
    calls++;
    // Call n fails when the running count of failures owed, floor(n x rate), goes up.
    if (Math.floor(calls * failRate) > Math.floor((calls - 1) * failRate)) {
      throw MicroError.internal('go.micro.srv.greeter', `broken release (GREETER_FAIL_RATE=${failRate})`);
    }
    return { msg: 'Hello ' + (req?.name ?? '') };
  },
  {
    request: { name: 'Request', type: 'Request', values: [{ name: 'name', type: 'string', values: null }] },
    response: { name: 'Response', type: 'Response', values: [{ name: 'msg', type: 'string', values: null }] },
  },
);

await service.run();
