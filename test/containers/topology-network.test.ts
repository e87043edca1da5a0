/**
 * TopologyNetwork.create against a real Docker engine: a retry of the same session takes the network its
 * earlier create made (a create whose answer was lost must not fail every restart after it), and a
 * network of that name that is not this session's fails with Docker's own message, not a subnet count.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { Labels } from '../../runner/runtimes/container/labels.ts';
import { TopologyNetwork } from '../../runner/runtimes/container/topology-network.ts';
import { dockerGate } from './container-test-kit.ts';

const gate = await dockerGate();

describe.runIf(gate.mustFail)('topology network (Docker required)', () => {
  it('has a Docker engine', () => {
    throw new Error(`MICRO_DEV_REQUIRE_DOCKER=1 but ${gate.reason}`);
  });
});

describe.runIf(gate.run)('TopologyNetwork.create', () => {
  const session = { topology: 'network-test', session: `${process.pid.toString(36)}-${Date.now().toString(36)}` };
  const made: string[] = [];

  afterAll(async () => {
    const docker = await connectDocker();
    for (const id of made) await docker.getNetwork(id).remove().catch(() => undefined);
  });

  it("takes this session's network when it is already there, with its subnet", async () => {
    const docker = await connectDocker();
    const first = await TopologyNetwork.create(docker, session);
    made.push(first.id);
    const again = await TopologyNetwork.create(docker, session);
    expect(again.id).toBe(first.id);
    expect(again.name).toBe(first.name);
    expect(again.gatewayIp).toBe(first.gatewayIp);
    expect(again.allocateIp()).toMatch(new RegExp(`^${first.gatewayIp.replace(/\.1$/, '').replace(/\./g, '\\.')}\\.\\d+$`));
  });

  it("fails with Docker's message when the name is taken by a network of another session", async () => {
    const docker = await connectDocker();
    const other = { topology: 'network-test', session: `${session.session}-x` };
    const name = `micro-dev-${other.topology}-${other.session}`;
    const foreign = await docker.createNetwork({ Name: name, Labels: { [Labels.session]: 'someone-else', [Labels.topology]: other.topology, [Labels.pid]: '1' } });
    made.push(foreign.id);
    const error = await TopologyNetwork.create(docker, other).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`cannot create Docker network ${name} \\(tried 1 subnet in 172\\.30\\.0\\.0/15\\): .*already exists`));
  });
});
