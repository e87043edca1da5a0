/**
 * Docker's build/import/pull endpoints answer 200 and report failure inside the JSON progress stream; this
 * waits for the stream's end and turns an `error` entry into a thrown MicroDevError.
 */
import type Docker from 'dockerode';
import { MicroDevError } from '../errors/micro-dev-error.ts';

interface ProgressEntry {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/** Resolves when the stream ends without an error entry; `onLine` gets build output lines. */
export function followDockerProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  what: string,
  onLine?: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(new MicroDevError('START_FAILED', `${what} failed: ${err.message}`, { cause: err }));
        else if (failure) reject(new MicroDevError('START_FAILED', `${what} failed: ${failure}`));
        else resolve();
      },
      (entry: ProgressEntry) => {
        if (entry.error) failure = entry.errorDetail?.message ?? entry.error;
        const text = (entry.stream ?? '').trimEnd();
        if (text && onLine) for (const line of text.split('\n')) onLine(line);
      },
    );
  });
}
