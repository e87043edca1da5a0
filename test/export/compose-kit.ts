/**
 * What the Compose export tests share: finding `docker-compose` (Debian's package) or `docker compose`, running
 * it on one exported project (a unique project name, free host ports in the environment), taking it down and
 * its folder away after the tests, and listing what the project left on the engine (containers, networks,
 * images).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findListenPort } from '../../runner/net/find-listen-port.ts';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';
import { waitFor } from '../containers/container-test-kit.ts';

const run = promisify(execFile);

/** `docker-compose` (Debian's package) or the `docker compose` plugin, whichever answers. */
export async function findCompose(): Promise<string[] | undefined> {
  for (const argv of [['docker-compose'], ['docker', 'compose']]) {
    try {
      await run(argv[0]!, [...argv.slice(1), 'version'], { timeout: 20_000 });
      return argv;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** The host ports the exported project publishes (MICRO_DEV_*_PORT). */
export interface PublishedPorts {
  gateway: number;
  proxy: number;
  web: number;
  registry: number;
}

/** The greeter's answer to `name` through the exported gateway, once it gives one (3 min: builds and starts). */
export function greeterThroughGateway(ports: PublishedPorts, name: string): Promise<unknown> {
  return waitFor(
    'the greeter through the exported gateway',
    async () => {
      const res = await fetch(`http://127.0.0.1:${ports.gateway}/greeter/say/hello?name=${encodeURIComponent(name)}`).catch(() => undefined);
      return res?.status === 200 ? await res.json() : undefined;
    },
    180_000,
  );
}

/** greeter-web's page through the exported web gateway, once it serves one (2 min). */
export function greeterWebPage(ports: PublishedPorts): Promise<string> {
  return waitFor(
    'greeter-web through the exported web gateway',
    async () => {
      const res = await fetch(`http://127.0.0.1:${ports.web}/greeter`).catch(() => undefined);
      return res?.status === 200 ? await res.text() : undefined;
    },
    120_000,
  );
}

export class ComposeProject {
  readonly name: string;
  /** The folder the export writes into (makeOutDir). */
  out = '';
  env: NodeJS.ProcessEnv = {};
  readonly #compose: string[];
  #up = false;

  constructor(compose: string[], prefix: string) {
    this.#compose = compose;
    this.name = `${prefix}${process.pid}${Math.floor(Math.random() * 1e6)}`;
  }

  /** A fresh temporary folder for the export, removed by cleanUp(). */
  async makeOutDir(prefix: string): Promise<string> {
    this.out = await mkdtemp(join(tmpdir(), prefix));
    return this.out;
  }

  /** Free host ports for the gateway, proxy, web gateway and registry, set in the environment compose runs with. */
  async publishOnFreePorts(): Promise<PublishedPorts> {
    const ports = { gateway: await findListenPort(), proxy: await findListenPort(), web: await findListenPort(), registry: await findListenPort() };
    this.env = {
      ...process.env,
      MICRO_DEV_GATEWAY_PORT: String(ports.gateway),
      MICRO_DEV_PROXY_PORT: String(ports.proxy),
      MICRO_DEV_WEB_PORT: String(ports.web),
      MICRO_DEV_REGISTRY_PORT: String(ports.registry),
    };
    return ports;
  }

  /** `up -d --build`; from here until down(), cleanUp() takes the project down. */
  up(): Promise<string> {
    this.#up = true;
    return this.cmd(['up', '-d', '--build']);
  }

  async cmd(args: string[], timeout = 600_000): Promise<string> {
    const [cmd, ...pre] = this.#compose;
    const { stdout, stderr } = await run(cmd!, [...pre, '-p', this.name, '-f', join(this.out, 'compose.yaml'), ...args], { env: this.env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  }

  async down(): Promise<string> {
    const output = await this.cmd(['down', '-v', '--rmi', 'local', '--remove-orphans', '-t', '5'], 180_000);
    this.#up = false;
    return output;
  }

  /** For afterAll: down if the project was brought up and not taken down since, then the export folder removed. */
  async cleanUp(): Promise<void> {
    if (this.#up) await this.down();
    if (this.out) await rm(this.out, { recursive: true, force: true });
  }

  async leftovers(): Promise<string[]> {
    const docker = await connectDocker();
    const label = `com.docker.compose.project=${this.name}`;
    const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
    const networks = await docker.listNetworks({ filters: { label: [label] } });
    const images = (await docker.listImages()).filter((i) => (i.RepoTags ?? []).some((t) => t.startsWith(`${this.name}_`) || t.startsWith(`${this.name}-`)));
    return [...containers.map((c) => `container ${c.Names[0]}`), ...networks.map((n) => `network ${n.Name}`), ...images.map((i) => `image ${i.RepoTags?.[0]}`)];
  }
}
