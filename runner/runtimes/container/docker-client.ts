/**
 * One place that opens the Docker engine: dockerode on DOCKER_HOST or /var/run/docker.sock, checked with a
 * bounded ping so a missing engine is a clear DOCKER_UNAVAILABLE error instead of a hang.
 */
import Docker from 'dockerode';
import { MicroDevError } from '../../errors/micro-dev-error.ts';

/** Where dockerode will connect, for messages. */
export function dockerEndpoint(): string {
  return process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
}

/**
 * Opens the engine and pings it (default 3000 ms). Rejects with DOCKER_UNAVAILABLE naming the endpoint and
 * the limit. The returned client holds no sockets open between calls; nothing to close.
 */
export async function connectDocker(options: { timeoutMs?: number } = {}): Promise<Docker> {
  const timeoutMs = options.timeoutMs ?? 3000;
  const docker = new Docker();
  try {
    // dockerode 5 takes an abortSignal here; @types/dockerode 4 does not know it yet.
    const ping = docker.ping.bind(docker) as unknown as (o: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping({ abortSignal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new MicroDevError(
      'DOCKER_UNAVAILABLE',
      `Docker engine at ${dockerEndpoint()} did not answer a ping within ${timeoutMs}ms`,
      { cause, hints: ['start one with: bash scripts/docker/ensure-docker.sh'] },
    );
  }
  return docker;
}

/** True when an engine answers within timeoutMs. Never throws. */
export async function dockerAvailable(timeoutMs = 2000): Promise<boolean> {
  try {
    await connectDocker({ timeoutMs });
    return true;
  } catch {
    return false;
  }
}

/** Status code of a dockerode error (404 no such image/container, 409 conflict...), or undefined. */
export function dockerStatus(e: unknown): number | undefined {
  const code = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}
