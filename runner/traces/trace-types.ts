/**
 * What the trace store keeps and serves (control API, CLI, dashboard, scenario reports): plain JSON, no
 * OpenTelemetry types, so the TUI and the control client need nothing but these.
 */

export type SpanKindName = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanEventRecord {
  name: string;
  /** Milliseconds after the span's start. */
  atMs: number;
  attributes: Record<string, string | number | boolean>;
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Absent for a trace's root (or when the parent is not ours, e.g. the caller's own span). */
  parentId?: string;
  name: string;
  kind: SpanKindName;
  /** The resource's service.name: micro-api, micro-proxy, micro-web, micro-faults, micro-broker. */
  service: string;
  /** Epoch milliseconds (fractional). */
  startMs: number;
  durationMs: number;
  /** The error the span ended with; absent when it succeeded. */
  error?: string;
  attributes: Record<string, string | number | boolean | string[]>;
  events: SpanEventRecord[];
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name (or the earliest span's when the root is not ours). */
  name: string;
  startMs: number;
  durationMs: number;
  spans: number;
  /** Services and instances the trace touched (span services, micro.service, micro.instance). */
  services: string[];
  failed: boolean;
  slow: boolean;
  /** One line: the hop and the fault that explain the trace (a failed attempt, a toxic met); absent when none. */
  explanation?: string;
}

export interface TraceDetail {
  summary: TraceSummary;
  /** In start order. */
  spans: SpanRecord[];
  /** Spans dropped once the trace reached the per-trace cap. */
  droppedSpans: number;
}

export interface TraceQuery {
  failed?: boolean;
  slow?: boolean;
  /** Only traces that touched this service or instance. */
  service?: string;
  /** Only traces that started at or after this epoch ms. */
  sinceMs?: number;
  /** Only traces that started before this epoch ms. */
  untilMs?: number;
  /** Newest first, at most this many (default 50). */
  limit?: number;
}
