/**
 * ContainerInstance: the StartedInstance of one Docker container, plus what only containers can do:
 * a real network partition (`partition()` / `heal()` = docker network disconnect / connect).
 *
 *   docker attach ──demux──> stdout/stderr ──LogTap (lines; early ones replayed once)──> onLog listeners
 *   docker wait ──> exit code ──> ExitInfo (128+n -> signal n) ──> container removed, IP released
 *
 * stop(graceMs) sends SIGTERM (the container runs with an init, which passes it to the service), waits up
 * to graceMs, then SIGKILL. kill() is a SIGKILL that counts as a crash (requested: false), as `kill -9` would.
 */
import { constants } from 'node:os';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ExitInfo, LogLine, StartedInstance } from '../runtime.ts';
import { LogTap } from '../worker/log-tap.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { dockerStatus } from './docker-client.ts';
import type { TopologyNetwork } from './topology-network.ts';
import type { ContainerNetworkControl } from './network-control.ts';

export interface ContainerInstanceParts {
  docker: Docker;
  container: Docker.Container;
  instance: string;
  network: TopologyNetwork;
  /** Static IP on the topology network. */
  ip: string;
  aliases: string[];
  /** Host-reachable `127.0.0.1:<port>` of its server, when it has one. */
  address?: string;
  /** Attached (not yet flowing) output stream, multiplexed as Docker sends it for a non-TTY container. */
  output: NodeJS.ReadableStream;
}

export interface ContainerExit extends ExitInfo {
  lastLines: string[];
}

export class ContainerInstance implements StartedInstance, ContainerNetworkControl {
  readonly kind = 'container' as const;
  readonly instance: string;
  /** Short (12 char) container id. */
  readonly ref: string;
  readonly id: string;
  readonly ip: string;
  readonly address: string | undefined;
  /** ExitInfo plus the last output lines (stderr first), as the process runtime reports them. */
  readonly exited: Promise<ContainerExit>;
  private readonly parts: ContainerInstanceParts;
  private readonly tap: LogTap;
  private requested = false;
  private ended = false;
  private partitioned = false;
  private stopping: Promise<ContainerExit> | undefined;
  private readonly outputDone: Promise<void>;

  constructor(parts: ContainerInstanceParts) {
    this.parts = parts;
    this.instance = parts.instance;
    this.id = parts.container.id;
    this.ref = parts.container.id.slice(0, 12);
    this.ip = parts.ip;
    this.address = parts.address;
    this.tap = new LogTap(parts.instance);
    this.outputDone = this.pumpOutput();
    this.exited = this.waitForExit();
  }

  onLog(listener: (line: LogLine) => void): () => void {
    return this.tap.onLog(listener);
  }

  /** The runtime calls this as start() hands the instance out: lines written until then are replayed once. */
  closeReplayWindow(): void {
    this.tap.closeReplayWindow();
  }

  stop(graceMs: number): Promise<ContainerExit> {
    this.stopping ??= this.stopNow(graceMs);
    return this.stopping;
  }

  kill(): void {
    if (this.ended) return;
    this.parts.container.kill({ signal: 'SIGKILL' }).catch(() => {});
  }

  async pause(): Promise<void> {
    this.assertRunning('pause');
    await this.parts.container.pause();
  }

  async resume(): Promise<void> {
    this.assertRunning('resume');
    try {
      await this.parts.container.unpause();
    } catch (e) {
      // 409 "is not paused": resuming a running container is a no-op, as SIGCONT would be.
      if (dockerStatus(e) !== 409 && dockerStatus(e) !== 500) throw e;
    }
  }

  /** Cuts the container off the topology network (and so from its published port and the host relays). */
  async partition(): Promise<void> {
    this.assertRunning('partition');
    if (this.partitioned) return;
    await this.parts.network.disconnect(this.id);
    this.partitioned = true;
  }

  /** Reconnects it with the same IP and aliases. */
  async heal(): Promise<void> {
    this.assertRunning('heal');
    if (!this.partitioned) return;
    await this.parts.network.connect(this.id, this.ip, this.parts.aliases);
    this.partitioned = false;
  }

  get isPartitioned(): boolean {
    return this.partitioned;
  }

  private async stopNow(graceMs: number): Promise<ContainerExit> {
    if (this.ended) return this.exited;
    this.requested = true;
    const c = this.parts.container;
    // A frozen process cannot act on SIGTERM: thaw it first.
    await c.unpause().catch(() => {});
    await c.kill({ signal: 'SIGTERM' }).catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'grace-over'>((resolve) => (timer = setTimeout(() => resolve('grace-over'), graceMs)));
    const first = await Promise.race([this.exited, graceOver]);
    clearTimeout(timer);
    if (first === 'grace-over') await c.kill({ signal: 'SIGKILL' }).catch(() => {});
    return this.exited;
  }

  private assertRunning(what: string): void {
    if (this.ended) throw new MicroDevError('NOT_RUNNING', `cannot ${what} instance ${this.instance}: container ${this.ref} has exited`);
  }

  private pumpOutput(): Promise<void> {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    this.parts.docker.modem.demuxStream(this.parts.output, stdout, stderr);
    const end = () => {
      stdout.end();
      stderr.end();
    };
    this.parts.output.on('end', end);
    this.parts.output.on('error', end);
    return Promise.all([this.tap.attach(stdout, 'stdout'), this.tap.attach(stderr, 'stderr')]).then(() => {});
  }

  private async waitForExit(): Promise<ContainerExit> {
    let status: number | null;
    try {
      const result = (await this.parts.container.wait()) as { StatusCode?: number };
      status = typeof result.StatusCode === 'number' ? result.StatusCode : null;
    } catch {
      status = await this.parts.container
        .inspect()
        .then((i) => (i.State.Running ? null : i.State.ExitCode))
        .catch(() => null);
    }
    this.ended = true;
    // The last lines may still be in flight after the process ended; give them a moment, bounded.
    await Promise.race([this.outputDone, new Promise((r) => setTimeout(r, 1000).unref())]);
    this.parts.network.releaseIp(this.ip);
    // Removed before `exited` resolves, so a stopped engine leaves no container behind (bounded: a stuck
    // daemon must not hold a shutdown; the label sweep catches what is left).
    await Promise.race([this.parts.container.remove({ force: true }).catch(() => {}), new Promise((r) => setTimeout(r, 5000).unref())]);
    return { ...exitInfo(status, this.requested), lastLines: this.tap.lastLines() };
  }
}

/** Docker reports a death by signal n as 128+n (the init does the same for its child). */
export function exitInfo(status: number | null, requested: boolean): ExitInfo {
  if (status !== null && status > 128 && status < 128 + 65) {
    const name = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
    if (name) return { code: null, signal: name, requested };
  }
  return { code: status, signal: null, requested };
}
