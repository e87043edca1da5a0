/**
 * ConsulHttpError: an error that carries the exact status code and plain-text body Consul would send.
 * The HTTP layer writes `reason` verbatim as text/plain; anything else thrown becomes a 500 (never a crash).
 */
export class ConsulHttpError extends Error {
  readonly statusCode: number;
  readonly reason: string;
  readonly headers: Record<string, string>;

  constructor(statusCode: number, reason: string, headers: Record<string, string> = {}) {
    super(reason);
    this.name = 'ConsulHttpError';
    this.statusCode = statusCode;
    this.reason = reason;
    this.headers = headers;
  }
}

export function badRequest(reason: string): ConsulHttpError {
  return new ConsulHttpError(400, reason);
}

export function notFound(reason: string): ConsulHttpError {
  return new ConsulHttpError(404, reason);
}
