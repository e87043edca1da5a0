/**
 * LogFiles: every instance's output kept on disk, one bounded file per instance with rotation.
 *
 *   line ──> <dir>/<instance>.log   (one line: `<ISO time> <stdout|stderr> <text>`)
 *            when the next line would pass maxBytes: <instance>.log -> .log.1 -> .log.2 ... (keep), new .log
 *
 * So an instance never holds more than maxBytes x (keep + 1) on disk. Writes are buffered by a WriteStream
 * per instance (never blocking the engine); close() flushes them. A file that cannot be written (disk full,
 * folder gone) stops that instance's file, never the engine.
 */
import { createWriteStream, fstatSync, mkdirSync, openSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { BufferedLine } from './log-buffer.ts';

export interface LogFilesOptions {
  /** Bytes per file before it rotates (default 1 MiB). */
  maxBytes?: number;
  /** Rotated files kept beside the current one (default 3). */
  keep?: number;
}

interface OpenFile {
  stream: WriteStream;
  bytes: number;
  broken: boolean;
}

/** The file of one instance (`.log`), and its rotated predecessors (`.log.1` is the newest of them). */
export function logFileName(instance: string, generation = 0): string {
  return `${instance}.log${generation > 0 ? `.${generation}` : ''}`;
}

export function formatLogLine(line: BufferedLine): string {
  return `${new Date(line.at).toISOString()} ${line.stream} ${line.line}\n`;
}

export class LogFiles {
  readonly dir: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #files = new Map<string, OpenFile>();

  constructor(dir: string, options: LogFilesOptions = {}) {
    this.dir = dir;
    this.#maxBytes = options.maxBytes ?? 1024 * 1024;
    this.#keep = options.keep ?? 3;
  }

  write(line: BufferedLine): void {
    const text = formatLogLine(line);
    const bytes = Buffer.byteLength(text);
    let file = this.#files.get(line.instance) ?? this.#open(line.instance);
    if (!file || file.broken) return;
    if (file.bytes > 0 && file.bytes + bytes > this.#maxBytes) {
      file = this.#rotate(line.instance, file);
      if (!file) return;
    }
    file.bytes += bytes;
    file.stream.write(text);
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.all(files.map((f) => new Promise<void>((resolve) => f.stream.end(() => resolve()))));
  }

  #open(instance: string): OpenFile | undefined {
    try {
      mkdirSync(this.dir, { recursive: true });
      // Opened now, not when the stream gets round to it: a rotation renames the file right after.
      const fd = openSync(join(this.dir, logFileName(instance)), 'a');
      const bytes = fstatSync(fd).size; // a previous up's lines: appended to, within the same bound
      const file: OpenFile = { stream: createWriteStream('', { fd }), bytes, broken: false };
      file.stream.on('error', () => void (file.broken = true));
      this.#files.set(instance, file);
      return file;
    } catch {
      return undefined;
    }
  }

  #rotate(instance: string, current: OpenFile): OpenFile | undefined {
    current.stream.end(); // its fd keeps the already written lines, whatever the file's name becomes
    this.#files.delete(instance);
    try {
      rmSync(join(this.dir, logFileName(instance, this.#keep)), { force: true });
      for (let g = this.#keep - 1; g >= 0; g--) {
        try {
          renameSync(join(this.dir, logFileName(instance, g)), join(this.dir, logFileName(instance, g + 1)));
        } catch {
          // that generation does not exist (yet)
        }
      }
    } catch {
      return undefined;
    }
    const file = this.#open(instance);
    if (file) file.bytes = 0;
    return file;
  }
}
