/**
 * NginxProxy: the same fixed-upstream front proxy as StaticProxy, but a real nginx (when installed): a
 * generated config in a temp folder, one foreground process (`daemon off; master_process off`) on a free
 * 127.0.0.1 port, `proxy_next_upstream error timeout` over a static `upstream` block.
 *
 *   client --> nginx (127.0.0.1:port) --upstream {server a; server b;}--> srv replicas   (no registry)
 *
 * start() resolves once the port accepts connections; stop() SIGKILLs it (a crash, not a graceful quit)
 * and start() again brings it back on the same port. close() also removes the temp folder.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findListenPort } from '../net/find-listen-port.ts';

/** The nginx binary on PATH (or in /usr/sbin), or undefined. */
export function findNginx(): string | undefined {
  for (const candidate of ['nginx', '/usr/sbin/nginx']) {
    const r = spawnSync(candidate, ['-v'], { stdio: 'ignore' });
    if (r.status === 0) return candidate;
  }
  return undefined;
}

export class NginxProxy {
  readonly engine = 'nginx';
  readonly upstreams: readonly string[];
  readonly #binary: string;
  #dir?: string;
  #port = 0;
  #child?: ChildProcess;

  constructor(binary: string, upstreams: readonly string[]) {
    this.#binary = binary;
    this.upstreams = upstreams;
  }

  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    if (this.#child) return;
    if (!this.#dir) {
      this.#dir = await mkdtemp(path.join(tmpdir(), 'micro-dev-nginx-'));
      this.#port = await findListenPort('127.0.0.1');
      await writeFile(path.join(this.#dir, 'nginx.conf'), config(this.#dir, this.#port, this.upstreams));
    }
    const child = spawn(this.#binary, ['-p', this.#dir, '-c', path.join(this.#dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    this.#child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`nginx exited with code ${code} before listening: ${stderr.trim().slice(0, 300)}`))),
    );
    await Promise.race([waitForPort(this.#port, 5000), exited]).catch((error) => {
      child.kill('SIGKILL');
      this.#child = undefined;
      throw error;
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = undefined;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}

function config(dir: string, port: number, upstreams: readonly string[]): string {
  const tmp = (name: string) => path.join(dir, name);
  return `daemon off;
master_process off;
worker_processes 1;
pid ${tmp('nginx.pid')};
error_log ${tmp('error.log')} warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${tmp('body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  upstream fixed {
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=10s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://fixed;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
      proxy_read_timeout 5s;
    }
  }
}
`;
}

async function waitForPort(port: number, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx not listening on 127.0.0.1:${port} after ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
