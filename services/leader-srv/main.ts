/**
 * go.micro.srv.leader: a greeter-like service whose replicas elect one leader on a Consul session lock
 * (the kit's LeaderElection, go-micro `sync.Leader`). `Leader.Status` answers {leader, instance}; only the
 * leader does the "singleton" work (here: counting ticks). Runs as a worker_thread module or a process.
 */
import { LeaderElection } from '../kit/leader.ts';
import { readMicroEnv } from '../kit/micro-env.ts';
import { newService } from '../kit/service.ts';

export const LEADER_KEY = 'service/go.micro.srv.leader/leader';

const env = readMicroEnv();
const service = newService({ name: 'go.micro.srv.leader' });
const instance = process.env.MICRO_DEV_INSTANCE || service.id;
const election = new LeaderElection({
  key: LEADER_KEY,
  registryAddress: env.registryAddress,
  ...(env.registryToken ? { token: env.registryToken } : {}),
  name: instance,
  ttl: '10s',
  lockDelay: '5s',
  timeScale: Number(process.env.MICRO_DEV_TIME_SCALE || 1),
});

service.handle('Leader.Status', () => ({ leader: election.isLeader, instance }), {
  request: { name: 'Request', type: 'Request', values: [] },
  response: {
    name: 'Response',
    type: 'Response',
    values: [
      { name: 'leader', type: 'bool', values: null },
      { name: 'instance', type: 'string', values: null },
    ],
  },
});
service.handle('Say.Hello', (req: { name?: string }) => ({ msg: `Hello ${req?.name ?? ''} from ${instance}${election.isLeader ? ' (leader)' : ''}` }));

election.start();
await service.run();
await election.stop();
