/**
 * A connection between a link and micro-dev's own process without a loopback TCP socket: two in-memory
 * stream ends, one that looks like a socket to node:http (the "caller end"), one the link uses as its
 * client or upstream socket. Issue 13: each loopback crossing cost the main thread two socket writes and
 * two reads; in one process a request through a link cost 125 µs of CPU over TCP, 106 µs in memory and
 * 105 µs with no link at all (bench/faults/link-in-memory.ts).
 *
 *   into a link (the gateway's and proxy's calls, Link.openLocal):
 *     node:http Agent ==caller end==(memory)==link end==> LinkConnection (toxics, meter, spans) --> instance (TCP)
 *   out of a link to a server of ours (an instance's link to the proxy, FaultPlane.serveInProcess):
 *     instance (TCP) --> LinkConnection ==link end==(memory)==caller end==> http.Server 'connection'
 *
 * The link end behaves as the accepted socket does for LinkConnection: a destroy closes the caller's end
 * (an HTTP request in flight fails as `socket hang up`, ECONNRESET), a reset fails it with ECONNRESET as a
 * TCP RST would. The caller end has what node:http's Agent asks of a socket: keep-alive and no-delay
 * (nothing to do in memory), ref/unref (an in-memory end holds no handle), and a timeout, which the Agent
 * restarts each time a connection goes back to its pool and uses to drop the ones that sat there unused (on
 * a connection in use it only reports 'timeout', which nothing acts on). No `timeout` property: the Agent
 * would then skip the restart.
 */
import { duplexPair, type Duplex } from 'node:stream';

/** The caller's end: what node:http needs of a socket besides the stream itself. */
export interface CallerEnd extends Duplex {
  readonly connecting: false;
  setKeepAlive(): this;
  setNoDelay(): this;
  ref(): this;
  unref(): this;
  setTimeout(ms: number, callback?: () => void): this;
}

/** The link's end: what LinkConnection needs of an accepted socket. */
export interface LinkEnd extends Duplex {
  setNoDelay(): this;
  /** Fails the caller's end with ECONNRESET (a TCP RST), then closes both. */
  resetAndDestroy(): this;
}

export function localSocketPair(): { caller: CallerEnd; link: LinkEnd } {
  const [callerStream, linkStream] = duplexPair();
  // node:http's own sockets: a FIN from the link (the instance closed its keep-alive connection) ends the
  // caller's writable side too, so the Agent drops the connection instead of writing into a dead link.
  callerStream.allowHalfOpen = false;
  const caller = callerStream as CallerEnd;
  const link = linkStream as LinkEnd;
  // what a server of ours may read of its client (an address in logs, the gateway's X-Forwarded-For)
  Object.assign(caller, { remoteAddress: '127.0.0.1', remoteFamily: 'IPv4', remotePort: 0 });
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  const restartIdle = () => {
    if (timer) clearTimeout(timer);
    timer = idleMs > 0 && !caller.destroyed ? setTimeout(() => caller.emit('timeout'), idleMs).unref() : undefined;
  };
  Object.assign(caller, {
    connecting: false,
    setKeepAlive: () => caller,
    setNoDelay: () => caller,
    ref: () => caller,
    unref: () => caller,
    // net.Socket's contract: a callback is added once per call with ms > 0, and taken off again by ms 0
    setTimeout: (ms: number, callback?: () => void) => {
      idleMs = ms;
      if (callback) {
        if (ms === 0) caller.removeListener('timeout', callback);
        else caller.once('timeout', callback);
      }
      restartIdle();
      return caller;
    },
  });
  Object.assign(link, {
    setNoDelay: () => link,
    resetAndDestroy: () => {
      caller.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }));
      link.destroy();
      return link;
    },
  });
  // duplexPair does not carry a destroy across on its own: either end going away closes the other.
  caller.once('close', () => {
    if (timer) clearTimeout(timer);
    link.destroy();
  });
  link.once('close', () => caller.destroy());
  // An error on the caller's end is the HTTP client's to handle; the link end only needs to close.
  link.on('error', () => {});
  return { caller, link };
}
