/**
 * TopologyNetwork: one user-defined bridge network per (topology, session), so a partition is a real
 * `docker network disconnect`. Its subnet is chosen here (a /24 in 172.30-31.x) so the runtime can give each
 * container a static IP before it starts: the IP goes into MICRO_SERVER_ADVERTISE, and heal() reconnects
 * with the same IP so registry entries stay valid.
 */
import type Docker from 'dockerode';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { dockerStatus } from './docker-client.ts';
import { networkLabels, type SessionLabels } from './labels.ts';

const SUBNET_TRIES = 48;

/**
 * The /24 subnets a network of this name tries, in order (first three octets): from a hash of the name,
 * alternating between 172.30 and 172.31. Docker hands its default-pool networks (compose's, a bare
 * `docker network create`) whole /16s from 172.17-31 in turn, so one of them can hold all of 172.30 or of
 * 172.31 for as long as it lives: tries in one /16 only all overlapped it (seen in CI).
 */
export function subnetCandidates(name: string): string[] {
  const start = hash(name);
  const out: string[] = [];
  for (let i = 0; i < SUBNET_TRIES; i++) {
    const half = ((start >> 8) + i) & 1;
    out.push(`172.${30 + half}.${(start + (i >> 1)) & 255}`);
  }
  return out;
}

export class TopologyNetwork {
  readonly name: string;
  readonly id: string;
  readonly gatewayIp: string;
  /** First three octets, e.g. `172.30.7`. */
  private readonly prefix: string;
  private readonly inUse = new Set<number>();
  private next = 2;
  private readonly docker: Docker;

  private constructor(docker: Docker, name: string, id: string, prefix: string) {
    this.docker = docker;
    this.name = name;
    this.id = id;
    this.prefix = prefix;
    this.gatewayIp = `${prefix}.1`;
  }

  /**
   * Creates the network, trying /24 subnets until one does not overlap an existing network. A network of
   * this very session by that name already there (a create whose answer was lost, then retried by the
   * instance's restart) is taken as it is; any other refusal fails with Docker's own message.
   */
  static async create(docker: Docker, session: SessionLabels): Promise<TopologyNetwork> {
    const name = `micro-dev-${session.topology}-${session.session}`.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-');
    let tries = 0;
    let lastError: unknown;
    for (const prefix of subnetCandidates(name)) {
      tries++;
      try {
        const network = await docker.createNetwork({
          Name: name,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: networkLabels(session),
          IPAM: { Driver: 'default', Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
        });
        return new TopologyNetwork(docker, name, network.id, prefix);
      } catch (e) {
        lastError = e;
        if (/overlap/i.test(String((e as Error).message))) continue;
        if (dockerStatus(e) === 409) {
          const own = await TopologyNetwork.#ownExisting(docker, name, session);
          if (own) return own;
        }
        break;
      }
    }
    const said = String((lastError as Error | undefined)?.message ?? lastError).trim();
    const tried = tries === 1 ? '1 subnet' : `${tries} subnets`;
    throw new MicroDevError('START_FAILED', `cannot create Docker network ${name} (tried ${tried} in 172.30.0.0/15): ${said}`, {
      cause: lastError,
    });
  }

  /** The network `name` when this session made it (its labels say so) and its subnet is a /24; else undefined. */
  static async #ownExisting(docker: Docker, name: string, session: SessionLabels): Promise<TopologyNetwork | undefined> {
    const info = (await docker
      .getNetwork(name)
      .inspect()
      .catch(() => undefined)) as { Id?: string; Labels?: Record<string, string>; IPAM?: { Config?: { Subnet?: string }[] } } | undefined;
    const labels = networkLabels(session);
    if (!info?.Id || Object.entries(labels).some(([k, v]) => info.Labels?.[k] !== v)) return undefined;
    const subnet = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(info.IPAM?.Config?.[0]?.Subnet ?? '');
    return subnet ? new TopologyNetwork(docker, name, info.Id, subnet[1]!) : undefined;
  }

  /** A free address in the subnet (.2 to .254); throws when all 253 are taken. */
  allocateIp(): string {
    for (let i = 0; i < 253; i++) {
      const host = ((this.next - 2 + i) % 253) + 2;
      if (!this.inUse.has(host)) {
        this.inUse.add(host);
        this.next = host + 1;
        return `${this.prefix}.${host}`;
      }
    }
    throw new MicroDevError('START_FAILED', `Docker network ${this.name} has no free address left (limit 253 containers)`);
  }

  releaseIp(ip: string): void {
    this.inUse.delete(Number(ip.split('.').pop()));
  }

  /** Endpoint settings for container create / reconnect. */
  endpoint(ip: string, aliases: string[]): Docker.EndpointSettings {
    return { IPAMConfig: { IPv4Address: ip }, Aliases: aliases };
  }

  async disconnect(containerId: string): Promise<void> {
    await this.docker.getNetwork(this.id).disconnect({ Container: containerId, Force: true });
  }

  async connect(containerId: string, ip: string, aliases: string[]): Promise<void> {
    await this.docker.getNetwork(this.id).connect({ Container: containerId, EndpointConfig: this.endpoint(ip, aliases) });
  }

  /** Removes the network; containers still attached make this fail, so callers remove those first. */
  async remove(): Promise<void> {
    try {
      await this.docker.getNetwork(this.id).remove();
    } catch (e) {
      if (dockerStatus(e) !== 404) throw e;
    }
  }
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h % 512;
}
