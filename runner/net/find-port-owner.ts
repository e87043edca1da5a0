/**
 * findPortOwner: which process listens on a TCP port, for error messages like
 * "port 8080 (gateway) is already in use by pid 1234 (node server.js)".
 *
 *   /proc/net/tcp{,6}  --LISTEN row for the port-->  socket inode
 *   /proc/<pid>/fd/*   --readlink == socket:[inode]-->  pid  -->  /proc/<pid>/cmdline
 *
 * Linux only and best effort: on other systems, or when the owner belongs to another user (its fds are not
 * readable), it resolves undefined. Never throws. Non-blocking (async fs), typically a few milliseconds.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface PortOwner {
  pid: number;
  /** The command line, space-joined and shortened to about 60 characters. */
  command: string;
}

const LISTEN = '0A';

export async function findPortOwner(port: number): Promise<PortOwner | undefined> {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const inode of listeningInodes(text, port)) inodes.add(inode);
    }
    if (inodes.size === 0) return undefined;
    const pid = await pidHoldingSocket(inodes);
    if (pid === undefined) return undefined;
    return { pid, command: await commandOf(pid) };
  } catch {
    return undefined;
  }
}

/** Parses a /proc/net/tcp table: `sl local_address rem_address st ... uid timeout inode`. Exported for tests. */
export function listeningInodes(table: string, port: number): string[] {
  const found: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [, local, , state] = cols;
    const portHex = local.slice(local.lastIndexOf(':') + 1);
    if (state === LISTEN && parseInt(portHex, 16) === port && cols[9] !== '0') found.push(cols[9]);
  }
  return found;
}

async function pidHoldingSocket(inodes: Set<string>): Promise<number | undefined> {
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  // Our own process first: the common case in tests, and cheap.
  pids.sort((a, b) => (a === String(process.pid) ? -1 : b === String(process.pid) ? 1 : 0));
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (targets.has(link)) return Number(pid);
    }
  }
  return undefined;
}

async function commandOf(pid: number): Promise<string> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const command = raw.split('\0').filter(Boolean).join(' ');
  if (!command) return '?';
  return command.length > 60 ? `${command.slice(0, 57)}...` : command;
}
