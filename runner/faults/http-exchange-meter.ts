/**
 * HttpExchangeMeter: times the HTTP/1.x exchanges of one link connection as its caller sees them, and
 * reports each one to the link's ExchangeObserver (the engine's per-instance traffic window).
 *
 *   client bytes (before any toxic) ── request starts ──> waiting (t0)
 *   bytes written to the client (after every toxic) ── status line ──> exchange(ms, failed) ──> answered
 *   caller's FIN or connection gone while waiting (reset, timed out, partition) ──> exchange(ms, true)
 *   a fresh connection refused by the instance or reset by a toxic ──────────────> exchange(ms, true)
 *   the instance's FIN between exchanges, after an answer (a keep-alive close) ──> nothing more measured
 *   the instance's FIN or RST just after a request that came after a long idle ──> not counted (it crossed
 *     the instance's idle close; the caller sends it again)
 *
 * It follows request/answer turns, not byte framing: a request starts with the first client bytes after
 * the previous answer began, so pipelined requests count as one. Interim `1xx` answers are skipped. A
 * connection whose answer does not start with `HTTP/1.` (HTTP/2, gRPC, raw TCP) stops being measured.
 * Cost per exchange: two clock reads, a look at the status line and one header search; no allocation.
 */
export interface ExchangeObserver {
  /** One finished exchange: milliseconds to the first answer byte (or to the failure), failed or not. */
  exchange(ms: number, failed: boolean): void;
}

const HTTP1 = Buffer.from('HTTP/1.');
const HEAD_END = Buffer.from('\r\n\r\n');
const CODE = Buffer.from('"code":');

type State = 'idle' | 'waiting' | 'answered' | 'off';

/**
 * The signature of a request that crossed the instance's idle keep-alive close (see instanceLeft): the
 * connection sat idle at least this long after its last answer (servers close idle connections after
 * seconds: Node 5 s, Go's IdleTimeout), and the instance's FIN or RST came within CROSSING_MS of the
 * request, before any answer byte. The window is wide for an event loop under load: the close was on the
 * wire before the request was read, and only our reading of it lags.
 */
const IDLE_BEFORE_CLOSE_MS = 1_000;
const CROSSING_MS = 500;

export class HttpExchangeMeter {
  readonly #observer: ExchangeObserver;
  #state: State = 'idle';
  #answered = false;
  #startedAt: number;
  /** When the last answer's status line came (the connection's idle time is measured from it). */
  #answerAt = -Infinity;

  constructor(observer: ExchangeObserver) {
    this.#observer = observer;
    this.#startedAt = performance.now();
  }

  /**
   * The connection broke (the instance refused it, or a toxic reset it). A fresh connection is opened to
   * send a request, so its caller's call fails even when its bytes had not reached the link yet.
   */
  broken(): void {
    if (this.#state === 'idle' && !this.#answered) this.#state = 'waiting';
    this.closed();
  }

  /** Bytes from the caller, as they arrive at the link. */
  request(): void {
    if (this.#state === 'idle' || this.#state === 'answered') {
      this.#state = 'waiting';
      this.#startedAt = performance.now();
    }
  }

  /** Bytes written to the caller, after the toxics. */
  answer(chunk: Buffer): void {
    if (this.#state !== 'waiting') return;
    const status = answerStatus(chunk);
    if (status < 0) {
      this.#state = 'off';
      return;
    }
    if (status >= 100 && status < 200) return;
    this.#state = 'answered';
    this.#answered = true;
    this.#answerAt = performance.now();
    this.#observer.exchange(this.#answerAt - this.#startedAt, failedStatus(status) || microErrorFailed(chunk));
  }

  /**
   * The caller closed its side (FIN). HTTP/1 callers do that while waiting only when they give up (a
   * timeout), and a partition holds the FIN, so the exchange fails now rather than when the link heals.
   */
  callerLeft(): void {
    this.closed();
  }

  /**
   * The instance closed its side (FIN), or reset the connection, after answering on it, as the link reads
   * it (a FIN before any answer is not reported: a request on that connection failed). Between exchanges
   * that is an idle keep-alive close: the instance will answer nothing more here, and a request its caller
   * sends before reading the FIN never reached it. HTTP clients send such a request again on a fresh
   * connection (Node's `reusedSocket` retry, undici's, the kit's HttpPool), which is measured; counting the
   * crossing one too would charge the instance a failure for an ordinary close. The same race seen the
   * other way round: the request reached the link first and the close right after it (the instance closed
   * before reading it: its FIN was on the way, or it reset the connection with the request unread), after
   * a long idle and before any answer byte (IDLE_BEFORE_CLOSE_MS, CROSSING_MS): not counted either. Any
   * other close while a request waits is left to closed(): the instance went away without answering.
   */
  instanceLeft(): void {
    if (this.#state === 'waiting') {
      const idleMs = this.#startedAt - this.#answerAt;
      if (!this.#answered || idleMs < IDLE_BEFORE_CLOSE_MS || performance.now() - this.#startedAt > CROSSING_MS) return;
    }
    this.#state = 'off';
  }

  /** The connection is gone (both sides). An exchange still waiting for its answer failed. */
  closed(): void {
    if (this.#state === 'waiting') this.#observer.exchange(performance.now() - this.#startedAt, true);
    this.#state = 'off';
  }
}

/**
 * The status code of an answer whose chunk starts with an HTTP/1.x status line (`HTTP/1.1 200 OK`), 0 when
 * its three digits are not digits, -1 when the chunk does not start like one (HTTP/2, raw TCP, a body's
 * continuation). Read byte by byte: a Buffer's compare or toString is a call into C++, ~0.3 µs each, and
 * every answer crossing a link goes through here once for its meter and once for its span (issue 16).
 */
export function answerStatus(chunk: Buffer): number {
  if (chunk.length < 12) return -1;
  for (let i = 0; i < HTTP1.length; i++) if (chunk[i] !== HTTP1[i]) return -1;
  return digits(chunk, 9, 3);
}

function failedStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 0;
}

/** `\nMicro-E` / `\nmicro-e`: the 8 bytes before RROR in the two spellings of the header looked for. */
const MICRO_E = [Buffer.from('\nMicro-E'), Buffer.from('\nmicro-e')];
/** The tail both spellings share: one search of the answer instead of one per spelling. */
const RROR = Buffer.from('rror:');

function microErrorAt(chunk: Buffer, at: number): boolean {
  if (at < 8) return false;
  for (const name of MICRO_E) {
    let i = 0;
    while (i < 8 && chunk[at - 8 + i] === name[i]) i++;
    if (i === 8) return true;
  }
  return false;
}

/**
 * A go-micro error in the head (mucp answers 200 with `Micro-Error` or `micro-error`): failed when its
 * code is. Every answer a link meters goes through here, nearly all without one: one search for the
 * header's tail, and the head's end only looked for when it is found (each `indexOf` is a call into C++).
 */
export function microErrorFailed(chunk: Buffer): boolean {
  let end = -1;
  for (let at = chunk.indexOf(RROR); at >= 0; at = chunk.indexOf(RROR, at + 1)) {
    if (!microErrorAt(chunk, at)) continue;
    if (end < 0) {
      end = chunk.indexOf(HEAD_END);
      if (end < 0) end = chunk.length;
    }
    // in the body, not the head: neither this nor anything after it is a header
    if (at - 8 > end) return false;
    const code = chunk.indexOf(CODE, at);
    // No readable code (or a code of 0): an error go-micro does not classify, count it.
    if (code < 0 || code > end) return true;
    let at2 = code + CODE.length;
    while (chunk[at2] === 0x20) at2++;
    return failedStatus(digits(chunk, at2, 3));
  }
  return false;
}

/** The decimal number in chunk[at, at+n) (stops at the first non-digit); 0 when there is none. */
function digits(chunk: Buffer, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n && i < chunk.length; i++) {
    const c = chunk[i]! - 48;
    if (c < 0 || c > 9) break;
    value = value * 10 + c;
  }
  return value;
}
