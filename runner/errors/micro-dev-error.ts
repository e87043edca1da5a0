/**
 * The closed catalogue of errors micro-dev reports to users. Library code throws these; only the CLI maps
 * them to exit codes and prints them (never a stack trace for a MicroDevError).
 * A message names its subject and its limit: "port 8080 (gateway) is already in use by pid 4242 (nginx)".
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_NOT_FOUND: 'CONFIG_NOT_FOUND',
  PORT_IN_USE: 'PORT_IN_USE',
  START_FAILED: 'START_FAILED',
  ALREADY_RUNNING: 'ALREADY_RUNNING',
  NOT_READY: 'NOT_READY',
  NOT_RUNNING: 'NOT_RUNNING',
  CALL_FAILED: 'CALL_FAILED',
  COMMAND_FAILED: 'COMMAND_FAILED',
  BAD_ARGUMENTS: 'BAD_ARGUMENTS',
  FILE_EXISTS: 'FILE_EXISTS',
  DOCKER_UNAVAILABLE: 'DOCKER_UNAVAILABLE',
  SCENARIO_FAILED: 'SCENARIO_FAILED',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class MicroDevError extends Error {
  readonly code: ErrorCode;
  /** Lines of extra help printed under the message (e.g. how to change a port). */
  readonly hints: readonly string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; hints?: string[] } = {}) {
    super(message, { cause: options.cause });
    this.name = 'MicroDevError';
    this.code = code;
    this.hints = options.hints ?? [];
  }
}

export function isMicroDevError(e: unknown): e is MicroDevError {
  return e instanceof MicroDevError;
}
