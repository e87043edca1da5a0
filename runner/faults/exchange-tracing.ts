/**
 * ExchangeTracing: the request/answer turns of one link connection, for a LinkTracer. Follows the same
 * turns as HttpExchangeMeter (a request starts with the first client bytes after the previous answer
 * began; 1xx answers are skipped) but only for requests the tracer took (those with a traceparent).
 *
 *   client chunk ──request(chunk)──> tracer.request (may rewrite the parent id in chunk) ──> exchange
 *   delivered answer chunk ──answer(chunk)──> exchange.end({ status })
 *   refused / reset / closed while waiting ──> exchange.end({ error })
 *   the instance's FIN between exchanges, after an answer ──> nothing more followed (see instanceLeft)
 */
import { answerStatus } from './http-exchange-meter.ts';
import type { LinkTracer, TracedExchange } from './link-tracer.ts';
import type { ToxicView } from './toxic-catalogue.ts';

export class ExchangeTracing {
  readonly #tracer: LinkTracer;
  readonly #link: string;
  readonly #toxics: () => readonly ToxicView[];
  #waiting = false;
  #exchange: TracedExchange | undefined;
  #off = false;

  constructor(tracer: LinkTracer, link: string, activeToxics: () => readonly ToxicView[]) {
    this.#tracer = tracer;
    this.#link = link;
    this.#toxics = activeToxics;
  }

  /** Client bytes as they arrive at the link, before any toxic: the first ones of a turn start a request. */
  request(chunk: Buffer): void {
    if (this.#waiting || this.#off) return;
    this.#waiting = true;
    this.#exchange = this.#tracer.request(this.#link, chunk, this.#toxics());
  }

  /** Bytes written to the client after the toxics: a status line ends the exchange. */
  answer(chunk: Buffer): void {
    if (!this.#waiting) return;
    const status = answerStatus(chunk);
    if (status < 0) {
      // not HTTP/1 (or a continuation of a body): stop following this connection
      this.#off = true;
      this.#finish({ error: 'answer is not HTTP/1.x' });
      return;
    }
    if (status >= 100 && status < 200) return;
    this.#finish({ status });
  }

  /** The connection broke while a request waited (refused by the instance, reset by a toxic). */
  broken(reason: string): void {
    this.#exchange?.event(reason);
    this.#finish({ error: reason });
  }

  /**
   * The instance closed its side between exchanges after answering on this connection (an idle keep-alive
   * close; LinkConnection reports no other FIN): a request crossing that close never reached it, and its
   * caller sends it again on a fresh connection, traced there. Unlike HttpExchangeMeter, a request that
   * reached the link just before that close stays traced, as failed: its attempt did fail on this
   * connection, and the caller's retry follows in the same trace (the meter leaves it uncounted, so an
   * instance's error rate is not charged for an ordinary close).
   */
  instanceLeft(): void {
    if (!this.#waiting) this.#off = true;
  }

  /** The connection is gone: a request still waiting got no answer. */
  closed(): void {
    this.#finish({ error: 'connection closed before an answer' });
    this.#off = true;
  }

  #finish(outcome: { status: number } | { error: string }): void {
    if (!this.#waiting) return;
    this.#waiting = false;
    const exchange = this.#exchange;
    this.#exchange = undefined;
    exchange?.end(outcome);
  }
}
