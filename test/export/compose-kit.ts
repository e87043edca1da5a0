/**
 * What the Compose export tests share: finding `docker-compose` (Debian's package) or `docker compose`, running
 * it on one exported project (a unique project name, the host ports in the environment), and listing what the
 * project left on the engine (containers, networks, images).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connectDocker } from '../../runner/runtimes/container/docker-client.ts';

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

export class ComposeProject {
  readonly name: string;
  out = '';
  env: NodeJS.ProcessEnv = {};
  readonly #compose: string[];

  constructor(compose: string[], prefix: string) {
    this.#compose = compose;
    this.name = `${prefix}${process.pid}${Math.floor(Math.random() * 1e6)}`;
  }

  async cmd(args: string[], timeout = 600_000): Promise<string> {
    const [cmd, ...pre] = this.#compose;
    const { stdout, stderr } = await run(cmd!, [...pre, '-p', this.name, '-f', join(this.out, 'compose.yaml'), ...args], { env: this.env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  }

  down(): Promise<string> {
    return this.cmd(['down', '-v', '--rmi', 'local', '--remove-orphans', '-t', '5'], 180_000);
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
