/**
 * CallTracer: what the kit Client tells a tracer about one call, so micro-dev's gateway and proxy can
 * record node selection and retries as spans without the kit depending on a tracing SDK.
 *
 *   callRaw ──tracer.call(service, endpoint, parent traceparent)──> CallTrace
 *     per attempt ──trace.attempt(node, selection)──> AttemptTrace { traceparent } (sent on the request)
 *                                                     .end(error?)  once the attempt is over
 *   ──trace.end(error?) once the call is over (answered, failed, or out of attempts)
 *
 * Every method is synchronous and must not throw; `undefined` from call() means "not traced".
 */
import type { MicroError } from './errors.ts';
import type { RegistryNode } from './types.ts';

export interface Selection {
  /** Nodes the selector chose among (after version filtering), and the ids it skipped as ejected. */
  candidates: number;
  ejected: string[];
  /** Ids tried by earlier attempts of this call. */
  tried: string[];
}

export interface AttemptTrace {
  /** The W3C traceparent to send with this attempt (its span is the parent of what the node does). */
  readonly traceparent: string;
  readonly tracestate?: string;
  end(error?: MicroError): void;
}

export interface CallTrace {
  attempt(node: RegistryNode, selection: Selection | undefined): AttemptTrace;
  /** A selection failed before any node was tried (no node, registry unreachable). */
  selectionFailed(error: MicroError): void;
  end(error?: MicroError): void;
}

export interface CallTracer {
  call(service: string, endpoint: string, parent: { traceparent?: string; tracestate?: string }): CallTrace | undefined;
}
