/**
 * findListenPort: a free port for a server that will bind it a little later (an instance's
 * MICRO_SERVER_ADDRESS), taken below the OS's ephemeral range when it can be.
 *
 *   findFreePort (port 0)  -> a port in the ephemeral range: until the instance binds it, any outgoing
 *                             connection (a link's upstream, a heartbeat) may get it as its local port
 *   findListenPort         -> random ports in [10000, start of the ephemeral range), first one free wins
 *
 * With a thousand instances starting, the first way lost dozens of binds to EADDRINUSE (issue 13). Falls
 * back to findFreePort when the range cannot be read (not Linux) or nothing free was found.
 *
 * A port is reserved (in `recent`) from the moment it is drawn, before the probe: two picks running at
 * once that draw the same number (a thousand starts at once draw ~22 such pairs) would otherwise both
 * probe it free, one after the other, and hand it out twice; the second instance to bind it failed with
 * EADDRINUSE (about one instance per thousand-replica start, issue 13). The reservation only covers this
 * process: another process picking in the same range before the instance binds can still take it (a CI
 * run saw a Python instance die of `[Errno 98]` so); InstanceSupervisor then starts it again on a fresh port.
 *
 * Ports the Fetch standard calls "bad" are never drawn: browsers and `fetch` refuse to connect to them
 * (undici: `fetch failed`, cause `bad port`; Chrome: ERR_UNSAFE_PORT), so a gateway or an instance there
 * would be unreachable from them. Of that list only 10080 lies in the range drawn from (a CI run once
 * handed it to a test's gateway).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { findFreePort } from './find-free-port.ts';

const LOW = 10_000;
const ATTEMPTS = 20;
/** The Fetch standard's bad ports (https://fetch.spec.whatwg.org/#bad-port) at or above LOW. */
const FETCH_BAD_PORTS = new Set([10080]);

function ephemeralStart(): number | undefined {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) && start > LOW + 1000 ? start : undefined;
  } catch {
    return undefined;
  }
}

const below = ephemeralStart();
/** Ports handed out (or being probed) lately: free until their instance binds them, so not to be handed out twice. */
const recent = new Map<number, number>();
const RECENT_MS = 60_000;

function tryListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function findListenPort(host = '127.0.0.1'): Promise<number> {
  if (below !== undefined) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = LOW + Math.floor(Math.random() * (below - LOW));
      const now = Date.now();
      if (FETCH_BAD_PORTS.has(port) || (recent.get(port) ?? 0) > now - RECENT_MS) continue;
      recent.set(port, now);
      if (await tryListen(host, port)) {
        if (recent.size > 5_000) for (const [p, at] of recent) if (at <= now - RECENT_MS) recent.delete(p);
        return port;
      }
      recent.delete(port);
    }
  }
  return findFreePort(host);
}
