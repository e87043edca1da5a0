/**
 * One exit-code table for every command (README "Exit codes" shows the same table; a test keeps them equal).
 *   0  done (or stopped on request: Ctrl-C, SIGTERM, down)
 *   1  it ran and something failed: a start (--exit-on-failure), a call, a command the engine refused, an
 *      expectation, a readiness check;
 *      or there is no running `up` to act on
 *   2  it could not run: bad usage, a bad or missing config, a port in use, `up` already running, no Docker
 */
import type { ErrorCode } from '../errors/micro-dev-error.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

/** Every error code's exit code (the compiler insists on all of them). */
export const exitCodeFor: Record<ErrorCode, number> = {
  BAD_ARGUMENTS: EXIT_CANNOT_RUN,
  CONFIG_INVALID: EXIT_CANNOT_RUN,
  CONFIG_NOT_FOUND: EXIT_CANNOT_RUN,
  PORT_IN_USE: EXIT_CANNOT_RUN,
  ALREADY_RUNNING: EXIT_CANNOT_RUN,
  FILE_EXISTS: EXIT_CANNOT_RUN,
  DOCKER_UNAVAILABLE: EXIT_CANNOT_RUN,
  INTERNAL: EXIT_CANNOT_RUN,
  START_FAILED: EXIT_FAILED,
  NOT_READY: EXIT_FAILED,
  NOT_RUNNING: EXIT_FAILED,
  CALL_FAILED: EXIT_FAILED,
  COMMAND_FAILED: EXIT_FAILED,
  SCENARIO_FAILED: EXIT_FAILED,
};
