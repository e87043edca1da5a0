/**
 * EtcdCluster: a real etcd (Debian's etcd-server, 3.4) of 1 or 3 members for `registry: {kind: etcd}`,
 * every member a supervised child behind the process guard (no etcd outlives micro-dev, even on SIGKILL),
 * its data under `<project>/.micro-dev/etcd/<pid>/<member>` (removed on stop; a later start sweeps the
 * folders of micro-devs that are gone). Every byte a member receives crosses a fault-plane link:
 *
 *   clients (instances, gateway...) ──> registry/etcd-N/client ───────────────> etcd-N client port
 *   etcd-M ──> router of etcd-N (its peer URL) ──> registry/etcd-N/peer-from-etcd-M ──> etcd-N peer port
 *
 * so a member can be cut from its clients, from each of its peers, or both (registry faults, see
 * RegistryMember and runner/engine/registry-faults.ts). Roles come from each member's own Status answer,
 * asked directly (not through the links).
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { applyServiceDefaults } from '../../config/apply-service-defaults.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import type { FaultPlane } from '../../faults/fault-plane.ts';
import type { Link } from '../../faults/link.ts';
import { findListenPort } from '../../net/find-listen-port.ts';
import { ProcessRuntime } from '../../runtimes/process/process-runtime.ts';
import type { ProcessInstance } from '../../runtimes/process/process-instance.ts';
import { findEtcdBinary } from './find-etcd-binary.ts';
import { PeerRouter } from './peer-router.ts';
import { EtcdRegistryReader, REGISTRY_PREFIX, registeredIn, withTimeout, type RegisteredNode } from './etcd-registry-reader.ts';
import { readableLogLine } from './readable-log-line.ts';
import type { MemberRole, MemberStatus, RegistryCluster } from '../registry-cluster.ts';

export type EtcdMemberStatus = MemberStatus;

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  router: PeerRouter;
  clientLink: Link;
  /** Peer links by the dialing member's name; '' = a dialer that is none of the members. */
  peerLinks: Map<string, Link>;
  instance?: ProcessInstance;
  /** Stopped on purpose (a fault, shutdown): not restarted by the supervisor. */
  held: boolean;
  status: Etcd3;
  lastLines: string[];
}

export type { RegisteredNode };

export interface EtcdClusterOptions {
  nodes: 1 | 3;
  /** Project folder; data goes to `<stateDir>/etcd/<pid>/`. */
  stateDir: string;
  plane: FaultPlane;
  onProgress?: (line: string) => void;
  /** How long the cluster may take to elect a leader (default 30 s). */
  readyTimeoutMs?: number;
  /** Where the members' listen ports come from (default: a free port on 127.0.0.1 each). */
  findPort?: () => Promise<number>;
}

const ELECTION_MS = 1000;
const HEARTBEAT_MS = 100;

export class EtcdCluster implements RegistryCluster {
  readonly kind = 'etcd';
  readonly #members: Member[];
  readonly #dataDir: string;
  readonly #runtime = new ProcessRuntime();
  readonly #args: (m: Member) => string[];
  readonly #onProgress: (line: string) => void;
  readonly #reader: EtcdRegistryReader;
  #stopping = false;

  private constructor(members: Member[], dataDir: string, args: (m: Member) => string[], onProgress: (line: string) => void) {
    this.#members = members;
    this.#dataDir = dataDir;
    this.#args = args;
    this.#onProgress = onProgress;
    // Linearizable reads: a member cut off from the others cannot answer with its stale copy.
    this.#reader = new EtcdRegistryReader(members.map((m) => `127.0.0.1:${m.clientPort}`));
  }

  static async start(options: EtcdClusterOptions): Promise<EtcdCluster> {
    const binary = findEtcdBinary();
    const root = path.join(options.stateDir, 'etcd');
    await sweepStale(root);
    const dataDir = path.join(root, String(process.pid));
    // A port found free can be taken by another process before etcd binds it (tests in parallel, other
    // tools): the members are started again on fresh ports, twice at most.
    for (let attempt = 1; ; attempt++) {
      try {
        return await EtcdCluster.#startOnce(options, binary, dataDir);
      } catch (error) {
        if (attempt >= 3 || !(error instanceof MicroDevError) || !/address already in use/.test(error.message)) throw error;
        options.onProgress?.(`registry  a port was taken before etcd bound it; starting the members on fresh ports`);
      }
    }
  }

  static async #startOnce(options: EtcdClusterOptions, binary: string, dataDir: string): Promise<EtcdCluster> {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    const names = Array.from({ length: options.nodes }, (_, i) => `etcd-${i + 1}`);
    const members: Member[] = [];
    let cluster: EtcdCluster | undefined;
    try {
      for (const name of names) {
        const findPort = options.findPort ?? (() => findListenPort('127.0.0.1'));
        const clientPort = await findPort();
        const peerPort = await findPort();
        const clientLink = await options.plane.createLink({ name: `registry/${name}/client`, upstream: `127.0.0.1:${clientPort}` });
        const peerLinks = new Map<string, Link>();
        for (const from of [...names.filter((n) => n !== name), '']) {
          const linkName = from ? `registry/${name}/peer-from-${from}` : `registry/${name}/peer`;
          peerLinks.set(from, await options.plane.createLink({ name: linkName, upstream: `127.0.0.1:${peerPort}` }));
        }
        const router = await PeerRouter.open({
          pids: () => members.flatMap((m) => (m.instance ? [Number(m.instance.ref)] : [])),
          target: (pid) => {
            const from = members.find((m) => m.instance && Number(m.instance.ref) === pid)?.name ?? '';
            return peerLinks.get(from)?.listen;
          },
        });
        const status = new Etcd3({ hosts: `http://127.0.0.1:${clientPort}`, dialTimeout: 1000 });
        members.push({ name, clientPort, peerPort, router, clientLink, peerLinks, held: false, status, lastLines: [] });
      }
      const token = `micro-dev-${randomBytes(4).toString('hex')}`;
      const initialCluster = members.map((m) => `${m.name}=http://${m.router.listen}`).join(',');
      const args = (m: Member) => [
        binary,
        '--name', m.name,
        '--data-dir', path.join(dataDir, m.name),
        '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
        '--advertise-client-urls', `http://${m.clientLink.listen}`,
        '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
        '--initial-advertise-peer-urls', `http://${m.router.listen}`,
        '--initial-cluster', initialCluster,
        '--initial-cluster-token', token,
        '--initial-cluster-state', 'new',
        '--heartbeat-interval', String(HEARTBEAT_MS),
        '--election-timeout', String(ELECTION_MS),
        // A member back from a partition asks before it campaigns (etcd 3.6's default): it does not depose a
        // leader that kept its quorum.
        '--pre-vote',
        '--logger', 'zap',
        '--log-level', 'warn',
      ];
      cluster = new EtcdCluster(members, dataDir, args, options.onProgress ?? (() => undefined));
      await Promise.all(members.map((m) => cluster!.#spawn(m)));
      await cluster.#waitForLeader(options.readyTimeoutMs ?? 30_000);
      return cluster;
    } catch (error) {
      if (cluster) await cluster.stop();
      else {
        for (const m of members) {
          m.status.close();
          await m.router.close();
        }
        await rm(dataDir, { recursive: true, force: true });
      }
      // The members' links go too: a start on fresh ports opens them again under the same names.
      const links = members.flatMap((m) => [m.clientLink, ...m.peerLinks.values()]);
      await Promise.all(links.map((l) => options.plane.removeLink(l.name).catch(() => undefined)));
      throw error;
    }
  }

  /** Member names, `etcd-1`..`etcd-N`. */
  get names(): string[] {
    return this.#members.map((m) => m.name);
  }

  /** What clients dial: every member's client link (host:port), in member order. */
  get clientEndpoints(): string[] {
    return this.#members.map((m) => m.clientLink.listen);
  }

  clientAddress(name: string): string {
    return this.#member(name).clientLink.listen;
  }

  kill(name: string): Promise<void> {
    return this.killMember(name);
  }

  start(name: string): Promise<void> {
    return this.startMember(name);
  }

  /** The members' own client addresses, past the fault plane (status, readiness). */
  get directEndpoints(): string[] {
    return this.#members.map((m) => `127.0.0.1:${m.clientPort}`);
  }

  /**
   * The fault-plane links of one member: `clients` (what its clients send it), `peers` (what its peers send
   * it, and what it sends each peer: their links from it), `both`. Throws for an unknown member.
   */
  links(name: string, side: 'peers' | 'clients' | 'both'): string[] {
    const member = this.#member(name);
    const peers = [
      ...[...member.peerLinks.values()].map((l) => l.name),
      ...this.#members.filter((m) => m !== member).map((m) => m.peerLinks.get(member.name)!.name),
    ];
    if (side === 'clients') return [member.clientLink.name];
    if (side === 'peers') return peers;
    return [member.clientLink.name, ...peers];
  }

  /** The peer links between two groups of members, both directions (a split of the cluster). */
  linksBetween(a: readonly string[], b: readonly string[]): string[] {
    const out: string[] = [];
    for (const x of a) {
      for (const y of b) {
        out.push(this.#member(x).peerLinks.get(y)!.name, this.#member(y).peerLinks.get(x)!.name);
      }
    }
    return out;
  }

  /** Each member's role as it reports it (asked directly, 1 s per member at most). */
  async status(): Promise<EtcdMemberStatus[]> {
    const answers = await Promise.all(
      this.#members.map(async (m) => {
        if (!m.instance) return { m, answer: undefined };
        const answer = await withTimeout(m.status.maintenance.status(), 1000).catch(() => undefined);
        return { m, answer };
      }),
    );
    const ids = new Map<string, string>();
    for (const { m, answer } of answers) if (answer) ids.set(answer.header.member_id, m.name);
    return answers.map(({ m, answer }) => {
      if (!answer) return { name: m.name, role: 'down' as const };
      const leader = answer.leader === '0' ? undefined : answer.leader;
      const role: MemberRole = !leader ? 'no-leader' : leader === answer.header.member_id ? 'leader' : 'follower';
      return { name: m.name, role, term: Number(answer.raftTerm) };
    });
  }

  /**
   * Every node registered under /micro/registry/, read from the members directly (linearizable: what the
   * cluster has committed). Waiters share one read per 100 ms.
   */
  registeredNodes(): Promise<RegisteredNode[]> {
    return this.#reader.registeredNodes();
  }

  /**
   * What each member itself lists under /micro/registry/ (node ids; serializable reads, asked directly: a
   * member cut off from the others answers with its own, possibly stale, copy). A member that does not
   * answer within 500 ms lists nothing.
   */
  async memberViews(): Promise<Record<string, string[]>> {
    const views = await Promise.all(
      this.#members.map(async (m) => {
        if (!m.instance) return [m.name, []] as const;
        const all = await withTimeout(m.status.getAll().prefix(REGISTRY_PREFIX).serializable(true).strings(), 500).catch(() => ({}));
        return [m.name, Object.values(all).flatMap(nodeIds).sort()] as const;
      }),
    );
    return Object.fromEntries(views);
  }

  /** The member that leads now, as the members see it (undefined without a leader). */
  async leader(): Promise<string | undefined> {
    return (await this.status()).find((s) => s.role === 'leader')?.name;
  }

  /** SIGKILL one member; it stays down until startMember. */
  async killMember(name: string): Promise<void> {
    const m = this.#member(name);
    m.held = true;
    const instance = m.instance;
    if (!instance) return;
    instance.kill();
    await instance.exited;
  }

  /** Starts a member that is down again (same data, same addresses); resolves once it runs. */
  async startMember(name: string): Promise<void> {
    const m = this.#member(name);
    m.held = false;
    if (!m.instance) await this.#spawn(m);
  }

  /** Stops every member (SIGTERM, then SIGKILL), closes the routers and removes the data. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#reader.close();
    await Promise.all(
      this.#members.map(async (m) => {
        m.held = true;
        m.status.close();
        await m.instance?.stop(3000);
        await m.router.close();
      }),
    );
    await rm(this.#dataDir, { recursive: true, force: true });
  }

  #member(name: string): Member {
    const m = this.#members.find((x) => x.name === name);
    if (!m) throw new MicroDevError('BAD_ARGUMENTS', `no etcd member named ${name} (members: ${this.names.join(', ')})`);
    return m;
  }

  async #spawn(m: Member): Promise<void> {
    const service = applyServiceDefaults(m.name, { runtime: 'process', command: this.#args(m), stop_timeout: 3000 }, this.#dataDir);
    const instance = await this.#runtime.start({ instance: m.name, service, env: { ETCD_UNSUPPORTED_ARCH: process.env.ETCD_UNSUPPORTED_ARCH ?? '' } }, { signal: new AbortController().signal });
    m.instance = instance;
    instance.onLog((line) => {
      m.lastLines.push(readableLogLine(line.line));
      if (m.lastLines.length > 5) m.lastLines.shift();
    });
    void instance.exited.then((exit) => {
      if (m.instance === instance) m.instance = undefined;
      if (this.#stopping || m.held) return;
      // Supervised: a member that ended on its own is started again (its data and addresses stay).
      this.#onProgress(`registry  ${m.name} exited (${exit.signal ?? `code ${exit.code}`})${m.lastLines.length ? `: ${m.lastLines.at(-1)}` : ''}; restarting`);
      setTimeout(() => {
        if (!this.#stopping && !m.held && !m.instance) void this.#spawn(m).catch(() => undefined);
      }, 1000).unref();
    });
  }

  async #waitForLeader(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: EtcdMemberStatus[] = [];
    while (Date.now() < deadline) {
      last = await this.status();
      if (last.every((s) => s.role === 'leader' || s.role === 'follower') && last.some((s) => s.role === 'leader')) return;
      const gone = this.#members.find((m) => !m.instance);
      if (gone) {
        throw new MicroDevError('START_FAILED', `etcd member ${gone.name} exited while the cluster started${gone.lastLines.length ? `: ${gone.lastLines.at(-1)}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seen = last.map((s) => `${s.name} ${s.role}`).join(', ');
    throw new MicroDevError('START_FAILED', `the etcd cluster elected no leader within ${timeoutMs} ms (${seen})`);
  }
}

/** The nodes in one go-micro registry value (a registry.Service with its node). */
const nodeIds = (text: string) => registeredIn(text).map((n) => n.id);

/** Removes data folders left by micro-devs that are gone (SIGKILL leaves them; their etcds died with the guard). */
async function sweepStale(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    await rm(path.join(root, entry), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
