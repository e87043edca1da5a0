/**
 * AdminError: Toxiproxy's closed catalogue of API errors, each carrying its HTTP status (api.go). The body
 * is `{"error": message, "status": code}` plus a newline, sent as Go's http.Error sends it (text/plain).
 *
 *   handler throws AdminError --> writeAdminError --> 4xx/5xx {"error":"proxy not found","status":404}
 */
import type { ServerResponse } from 'node:http';

export class AdminError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'AdminError';
    this.status = status;
  }

  /** Toxiproxy's joinError: `<catalogue message>: <detail>` with the catalogue status. */
  with(detail: string): AdminError {
    return new AdminError(`${this.message}: ${detail}`, this.status);
  }
}

export const AdminErrors = {
  badRequestBody: new AdminError('bad request body', 400),
  missingField: new AdminError('missing required field', 400),
  proxyNotFound: new AdminError('proxy not found', 404),
  proxyAlreadyExists: new AdminError('proxy already exists', 409),
  invalidStream: new AdminError('stream was invalid, can be either upstream or downstream', 400),
  invalidToxicType: new AdminError('invalid toxic type', 400),
  toxicAlreadyExists: new AdminError('toxic already exists', 409),
  toxicNotFound: new AdminError('toxic not found', 404),
} as const;

/** Any other error becomes a 500 with its message, as Toxiproxy's apiError does. */
export function toAdminError(error: unknown): AdminError {
  if (error instanceof AdminError) return error;
  return new AdminError(error instanceof Error ? error.message : String(error), 500);
}

export function writeAdminError(res: ServerResponse, error: AdminError): void {
  writeText(res, error.status, JSON.stringify({ error: error.message, status: error.status }));
}

/** Go's http.Error: text/plain, nosniff, body plus newline. */
export function writeText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}
