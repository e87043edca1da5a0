/**
 * The base image every container instance starts from, built with no registry at all: a root filesystem
 * holding the host's own Node binary and the shared libraries it links (found with `ldd`), imported with
 * `docker import`. Tagged `micro-dev/node:<major>` and labelled with the exact Node version, so a changed
 * Node rebuilds it and an unchanged one costs a single `inspect`.
 *
 *   node binary ──ldd──> libs ──copy──> tmp rootfs ──tar──> docker import ──> micro-dev/node:24
 */
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, realpath, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { dockerStatus } from '../runtimes/container/docker-client.ts';
import { followDockerProgress } from './docker-progress.ts';

const run = promisify(execFile);

export const NODE_VERSION_LABEL = 'dev.micro-dev.node-version';
/** Inside the image: where node lives, and the PATH the runtime relies on. */
export const IMAGE_NODE_PATH = '/usr/local/bin/node';
export const IMAGE_PATH_ENV = '/usr/local/bin:/usr/bin:/bin';

export interface BaseImageOptions {
  /** Node binary to ship; default: the Node running this process. */
  nodeBinary?: string;
  /** Image tag; default `micro-dev/node:<major>`. */
  tag?: string;
  log?: (line: string) => void;
}

export interface BaseImage {
  tag: string;
  nodeVersion: string;
  /** False when an image with the same Node version was already there. */
  built: boolean;
}

/** Builds the base image unless one with the same Node version exists. Blocking for a few seconds on build. */
export async function ensureBaseImage(docker: Docker, options: BaseImageOptions = {}): Promise<BaseImage> {
  const log = options.log ?? (() => {});
  const nodeBinary = await realpath(options.nodeBinary ?? process.execPath);
  const nodeVersion = (await run(nodeBinary, ['-v'])).stdout.trim();
  const tag = options.tag ?? `micro-dev/node:${nodeVersion.replace(/^v/, '').split('.')[0]}`;

  const existing = await inspectImageLabels(docker, tag);
  if (existing?.[NODE_VERSION_LABEL] === nodeVersion) return { tag, nodeVersion, built: false };

  log(`building base image ${tag} from ${nodeBinary} (${nodeVersion})`);
  const root = await mkdtemp(join(tmpdir(), 'micro-dev-rootfs-'));
  try {
    await layOutRootfs(root, [{ from: nodeBinary, to: IMAGE_NODE_PATH }]);
    // Import under a private tag and move the real one only if nobody else finished first: parallel test
    // workers (or two `up`s) building at once would otherwise leave a dangling 130 MB image behind.
    const building = `${tag.split(':')[0]}:building-${process.pid}-${Date.now().toString(36)}`;
    await importRootfs(docker, root, building, [
      `ENV PATH=${IMAGE_PATH_ENV}`,
      'ENV HOME=/tmp',
      `LABEL ${NODE_VERSION_LABEL}=${nodeVersion}`,
      'WORKDIR /tmp',
      `CMD ["${IMAGE_NODE_PATH}"]`,
    ]);
    const raced = (await inspectImageLabels(docker, tag))?.[NODE_VERSION_LABEL] === nodeVersion;
    if (!raced) {
      const [repo, version] = splitTag(tag);
      await docker.getImage(building).tag({ repo, tag: version });
    }
    // Untags when the image also carries `tag`; deletes it when we lost the race.
    await docker.getImage(building).remove();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  log(`built base image ${tag}`);
  return { tag, nodeVersion, built: true };
}

/** The image's labels, or undefined when the image does not exist. */
export async function inspectImageLabels(docker: Docker, tag: string): Promise<Record<string, string> | undefined> {
  try {
    const info = await docker.getImage(tag).inspect();
    return info.Config?.Labels ?? {};
  } catch (e) {
    if (dockerStatus(e) === 404) return undefined;
    throw e;
  }
}

/** Parses `ldd` output into absolute library paths (the vdso has none and is skipped). */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m) paths.add(m[1]!);
  }
  return [...paths];
}

/** A root filesystem for these host binaries (each at `to`) and the shared libraries they link. */
export async function layOutRootfs(root: string, binaries: { from: string; to: string }[]): Promise<void> {
  const libs = new Set<string>();
  for (const binary of binaries) {
    await placeFile(binary.from, join(root, binary.to));
    let ldd: string;
    try {
      ldd = (await run('ldd', [binary.from])).stdout;
    } catch (cause) {
      // A static binary (Go built without cgo) links nothing: ldd says so and exits 1.
      if (/not a dynamic executable/.test(String((cause as { stderr?: string; stdout?: string }).stderr) + String((cause as { stdout?: string }).stdout))) continue;
      throw new MicroDevError('START_FAILED', `cannot list the libraries of ${binary.from} with ldd`, { cause });
    }
    for (const lib of parseLdd(ldd)) libs.add(lib);
  }
  // Copy the real files (copyFile follows symlinks) to the paths the dynamic loader will look at.
  for (const lib of libs) await placeFile(lib, join(root, lib));
  for (const optional of ['/etc/ssl/certs/ca-certificates.crt', '/etc/nsswitch.conf']) {
    if (await exists(optional)) await placeFile(optional, join(root, optional));
  }
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  for (const dir of ['tmp', 'root', 'proc', 'sys', 'dev']) await mkdir(join(root, dir), { recursive: true });
  await chmod(join(root, 'tmp'), 0o1777);
}

async function placeFile(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function importRootfs(docker: Docker, root: string, tag: string, changes: string[]): Promise<void> {
  const [repo, version] = splitTag(tag);
  const tar = spawn('tar', ['-C', root, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let tarError = '';
  tar.stderr.on('data', (d: Buffer) => (tarError += d.toString()));
  const tarDone = new Promise<number | null>((resolve) => tar.on('close', resolve));
  const stream = await docker.importImage(tar.stdout, { repo, tag: version, changes } as object);
  await followDockerProgress(docker, stream, `docker import of ${tag}`);
  const code = await tarDone;
  if (code !== 0) throw new MicroDevError('START_FAILED', `tar of the base image rootfs failed (exit ${code}): ${tarError.trim()}`);
}

/** `repo/name:tag` -> [`repo/name`, `tag`] (a port in the registry host is not a tag). */
export function splitTag(tag: string): [string, string] {
  const at = tag.lastIndexOf(':');
  if (at <= tag.lastIndexOf('/')) return [tag, 'latest'];
  return [tag.slice(0, at), tag.slice(at + 1)];
}
