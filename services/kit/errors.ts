/**
 * go-micro's errors.Error (`gm@v1.18.0:errors/errors.go`): `{"id","code","detail","status"}` in that order,
 * status = Go's http.StatusText(code). Carried in the `Micro-Error` header between services and as the JSON
 * body of gateway errors.
 */
import { goJson } from './go-json.ts';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Go's http.StatusText: '' for unknown codes (and for 0). */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? '';
}

export interface MicroErrorJson {
  id: string;
  code: number;
  detail: string;
  status: string;
}

export class MicroError extends Error {
  readonly id: string;
  readonly code: number;
  readonly detail: string;
  readonly status: string;

  constructor(id: string, code: number, detail: string, status: string = statusText(code), options?: { cause?: unknown }) {
    super(detail, options);
    this.name = 'MicroError';
    this.id = id;
    this.code = code;
    this.detail = detail;
    this.status = status;
  }

  toJSON(): MicroErrorJson {
    return { id: this.id, code: this.code, detail: this.detail, status: this.status };
  }

  /** The compact Go encoding, e.g. `{"id":"x","code":400,"detail":"y","status":"Bad Request"}`. */
  override toString(): string {
    return goJson(this.toJSON());
  }

  /**
   * errors.Parse: a JSON error object is decoded; anything else becomes `{id:"",code:0,detail:s,status:""}`.
   */
  static parse(s: string): MicroError {
    try {
      const v: unknown = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        const o = v as Record<string, unknown>;
        return new MicroError(
          typeof o.id === 'string' ? o.id : '',
          typeof o.code === 'number' ? o.code : 0,
          typeof o.detail === 'string' ? o.detail : '',
          typeof o.status === 'string' ? o.status : '',
        );
      }
    } catch {
      // not JSON: fall through to the plain-string form
    }
    return new MicroError('', 0, s, '');
  }

  /** Any thrown value as a MicroError (a plain Error keeps its message as detail, code 0, like Go's Parse). */
  static from(e: unknown): MicroError {
    if (e instanceof MicroError) return e;
    if (e instanceof Error) return MicroError.parse(e.message);
    return MicroError.parse(String(e));
  }

  static badRequest(id: string, detail: string): MicroError {
    return new MicroError(id, 400, detail);
  }
  static unauthorized(id: string, detail: string): MicroError {
    return new MicroError(id, 401, detail);
  }
  static forbidden(id: string, detail: string): MicroError {
    return new MicroError(id, 403, detail);
  }
  static notFound(id: string, detail: string): MicroError {
    return new MicroError(id, 404, detail);
  }
  static methodNotAllowed(id: string, detail: string): MicroError {
    return new MicroError(id, 405, detail);
  }
  static timeout(id: string, detail: string): MicroError {
    return new MicroError(id, 408, detail);
  }
  static conflict(id: string, detail: string): MicroError {
    return new MicroError(id, 409, detail);
  }
  static internal(id: string, detail: string): MicroError {
    return new MicroError(id, 500, detail);
  }
}

export function isMicroError(e: unknown): e is MicroError {
  return e instanceof MicroError;
}
