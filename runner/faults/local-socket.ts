/**
 * A connection between a link and micro-dev's own process without a loopback TCP socket: two in-memory
 * stream ends, one that looks like a socket to node:http (the "HTTP end", a client's or a server's), one the
 * link uses as its client or upstream socket. Issue 13: each loopback crossing cost the main thread two
 * socket writes and two reads; what a crossing costs over TCP and in memory: bench/faults/link-in-memory.ts.
 *
 *   into a link (the gateway's and proxy's calls, Link.openLocal):
 *     node:http Agent ==HTTP end==(memory)==link end==> LinkConnection (toxics, meter, spans) --> instance (TCP)
 *   out of a link to a server of ours (an instance's link to the proxy, FaultPlane.serveInProcess):
 *     instance (TCP) --> LinkConnection ==link end==(memory)==HTTP end==> http.Server 'connection'
 *
 * The link end behaves as a TCP socket does for LinkConnection: a destroy closes the HTTP end
 * (an HTTP request in flight fails as `socket hang up`, ECONNRESET), a reset fails it with ECONNRESET as a
 * TCP RST would. The HTTP end has what node:http asks of a socket: keep-alive and no-delay
 * (nothing to do in memory), ref/unref (an in-memory end holds no handle), and a timeout, which the Agent
 * restarts each time a connection goes back to its pool and uses to drop the ones that sat there unused (on
 * a connection in use it only reports 'timeout', which nothing acts on). No `timeout` property: the Agent
 * would then skip the restart.
 */
import { duplexPair, type Duplex } from 'node:stream';

/** The end node:http uses (an Agent's client socket, or a server's accepted one): what it needs of a socket besides the stream. */
export interface HttpEnd extends Duplex {
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
  /** Fails the HTTP end with ECONNRESET (a TCP RST), then closes both. */
  resetAndDestroy(): this;
}

export function localSocketPair(): { http: HttpEnd; link: LinkEnd } {
  const [httpStream, linkStream] = duplexPair();
  // as node:http's own sockets: a FIN from the link (the instance closed its keep-alive connection) ends the
  // HTTP end's writable side too, so the Agent drops the connection instead of writing into a dead link.
  httpStream.allowHalfOpen = false;
  // node:http corks its socket around a message's head and body and uncorks on the next tick, so a socket
  // gets both in one writev. duplexPair's ends have no _writev: each part crossed as a chunk of its own,
  // and the link wrote each to the instance's TCP socket with a syscall of its own (3 more writes per
  // gateway request, and the instance read a head without its body). One batch, one chunk.
  httpStream._writev = (chunks, callback) => {
    const whole = chunks.length === 1 ? (chunks[0]!.chunk as Buffer) : Buffer.concat(chunks.map((c) => c.chunk as Buffer));
    httpStream._write(whole, 'buffer' as BufferEncoding, callback);
  };
  const httpEnd = httpStream as HttpEnd;
  const link = linkStream as LinkEnd;
  // what a server of ours may read of its client (an address in logs, the gateway's X-Forwarded-For)
  Object.assign(httpEnd, { remoteAddress: '127.0.0.1', remoteFamily: 'IPv4', remotePort: 0 });
  // The Agent sets a timeout each time it hands out or takes back the connection (ms 0, then its idle
  // timeout, per request): that only notes the time. One timer per connection, armed when none is pending;
  // when it fires it waits out whatever is left of the latest timeout, or emits 'timeout' (issue 13: a
  // refresh per call cost the main thread ~2 µs a request).
  let timer: NodeJS.Timeout | undefined;
  let idleMs = 0;
  let armedAt = 0;
  let due = 0;
  const arm = (ms: number) => {
    due = performance.now() + ms;
    timer = setTimeout(fire, ms).unref();
  };
  const fire = () => {
    timer = undefined;
    if (idleMs <= 0 || httpEnd.destroyed) return;
    const left = armedAt + idleMs - performance.now();
    if (left >= 1) arm(left);
    else httpEnd.emit('timeout');
  };
  const restartIdle = () => {
    if (httpEnd.destroyed) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      return;
    }
    // ms 0: a pending timer finds no timeout when it fires, and stops
    if (idleMs <= 0) return;
    armedAt = performance.now();
    if (timer !== undefined && due <= armedAt + idleMs) return;
    if (timer) clearTimeout(timer);
    arm(idleMs);
  };
  Object.assign(httpEnd, {
    connecting: false,
    setKeepAlive: () => httpEnd,
    setNoDelay: () => httpEnd,
    ref: () => httpEnd,
    unref: () => httpEnd,
    // net.Socket's contract: a callback is added once per call with ms > 0, and taken off again by ms 0
    setTimeout: (ms: number, callback?: () => void) => {
      idleMs = ms;
      if (callback) {
        if (ms === 0) httpEnd.removeListener('timeout', callback);
        else httpEnd.once('timeout', callback);
      }
      restartIdle();
      return httpEnd;
    },
  });
  Object.assign(link, {
    setNoDelay: () => link,
    resetAndDestroy: () => {
      httpEnd.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', errno: -104, syscall: 'read' }));
      link.destroy();
      return link;
    },
  });
  // duplexPair does not carry a destroy across on its own: either end going away closes the other.
  httpEnd.once('close', () => {
    if (timer) clearTimeout(timer);
    link.destroy();
  });
  link.once('close', () => httpEnd.destroy());
  // An error on the HTTP end is node:http's to handle; the link end only needs to close.
  link.on('error', () => {});
  return { http: httpEnd, link };
}
