/**
 * findConnectionOwner: which of some processes holds the client end of a loopback TCP connection that
 * one of our servers accepted (its remote port is the client's local port).
 *
 *   /proc/net/tcp{,6}  --row local port = client port, remote port = our port-->  socket inode
 *   /proc/<pid>/fd/*   --readlink == socket:[inode]-->  the pid among `pids`
 *
 * Linux only, best effort: resolves undefined when the row or the owner is not found. Never throws.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export async function findConnectionOwner(clientPort: number, serverPort: number, pids: readonly number[]): Promise<number | undefined> {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const inode of connectionInodes(text, clientPort, serverPort)) inodes.add(`socket:[${inode}]`);
    }
    if (inodes.size === 0) return undefined;
    for (const pid of pids) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return pid;
      }
    }
    return undefined;
  } catch {
    return undefined;
  }
}

/** Rows of a /proc/net/tcp table whose local port is `local` and remote port is `remote`. Exported for tests. */
export function connectionInodes(table: string, local: number, remote: number): string[] {
  const found: string[] = [];
  const portOf = (address: string) => parseInt(address.slice(address.lastIndexOf(':') + 1), 16);
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    if (portOf(cols[1]!) === local && portOf(cols[2]!) === remote && cols[9] !== '0') found.push(cols[9]!);
  }
  return found;
}
