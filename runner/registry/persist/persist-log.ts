/**
 * PersistLog: the crash-safe file layer under `registry.persist`. The state is a set of named tables of
 * JSON values keyed by string; every change is one record appended to a log and fsynced before the change
 * is acknowledged; from time to time the whole state is written as a snapshot and the log starts over.
 *
 *   FILE          snapshot  {"version":2,"seq":N,"tables":{"kv":{"<key>":{...}},"services":{...},...}}
 *   FILE.log      records   <crc32 hex> {"q":seq,"t":table,"k":key,"v":value}\n   (no "v" = deleted)
 *
 *   put/delete ──append()──> pending lines ──durable()──> one write + fdatasync per batch ──> waiters resolve
 *                                               (group commit: appends made while a batch is being synced
 *                                                ride the next batch, so one fsync acknowledges many writes)
 *   batch done and log > compactBytes ──> snapshot to FILE.tmp, fsync, rename, fsync dir ──> truncate log
 *
 * Loading: the snapshot, then every log record with seq > the snapshot's (a crash between the snapshot's
 * rename and the log's truncation replays nothing twice). A bad last record (a write torn by the crash: no
 * newline, wrong checksum) is cut off with a warning. A bad record before the last one, or a snapshot that
 * does not parse, means the files are corrupt: both are renamed to `<name>.corrupt-<time>` (set aside,
 * never deleted) and open() throws a MicroDevError naming them; the next start begins empty.
 */
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { ErrorCodes, MicroDevError } from '../../errors/micro-dev-error.ts';

/** table name -> key -> JSON value. */
export type PersistTables = Map<string, Map<string, unknown>>;

export interface PersistLogOptions {
  /** Compact once the log grows past this many bytes (default 4 MiB). */
  compactBytes?: number;
  /** A snapshot that is not version 2 (an older format): return its tables, or throw to call it corrupt. */
  upgrade?: (data: unknown) => PersistTables;
  /** Where warnings go (a torn record was discarded). */
  onWarning?: (message: string) => void;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

export class PersistLog {
  readonly path: string;
  readonly logPath: string;
  readonly #options: PersistLogOptions;
  #fd: FileHandle | undefined;
  #seq = 0;
  #logBytes = 0;
  #pending: string[] = [];
  #next: Deferred | undefined;
  #inflight: Promise<void> | undefined;
  #failed: Error | undefined;
  #snapshotOf: (() => PersistTables) | undefined;
  #closed = false;

  constructor(path: string, options: PersistLogOptions = {}) {
    this.path = path;
    this.logPath = `${path}.log`;
    this.#options = options;
  }

  /**
   * Reads the snapshot and the log (a torn last record is cut off with a warning) and opens the log for
   * appending. Returns the state they hold (empty when there are no files). Throws MicroDevError
   * START_FAILED when they are corrupt, after setting them aside.
   */
  async open(): Promise<PersistTables> {
    mkdirSync(dirname(this.path), { recursive: true });
    const tables = this.#load();
    this.#fd = await open(this.logPath, 'a');
    syncDir(dirname(this.path));
    return tables;
  }

  /** Queues one change (value undefined = deleted) for the next batch. Cheap and synchronous. */
  append(table: string, key: string, value: unknown): void {
    const record = JSON.stringify(value === undefined ? { q: ++this.#seq, t: table, k: key } : { q: ++this.#seq, t: table, k: key, v: value });
    this.#pending.push(`${crc32(record).toString(16).padStart(8, '0')} ${record}\n`);
  }

  /**
   * Resolves once every change appended so far is on disk (written and fdatasync'd); rejects when the log
   * cannot be written (and from then on). The answer to a write waits for this.
   */
  durable(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#pending.length === 0) return this.#inflight ?? Promise.resolve();
    this.#next ??= deferred();
    const promise = this.#next.promise;
    this.#kick();
    return promise;
  }

  /** Lets the log compact by itself: `snapshot` returns the whole current state (synchronously). */
  compactWith(snapshot: () => PersistTables): void {
    this.#snapshotOf = snapshot;
  }

  /**
   * Writes `tables` as the snapshot and empties the log. Synchronous (it blocks for as long as the snapshot
   * takes to write); call it only when nothing is in flight (open, close, or from the batch loop).
   */
  compact(tables: PersistTables): void {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, rows] of tables) out[name] = Object.fromEntries(rows);
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ version: 2, seq: this.#seq, tables: out }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    syncDir(dirname(this.path));
    if (this.#fd) {
      ftruncateSync(this.#fd.fd, 0);
      fdatasyncSync(this.#fd.fd);
    }
    this.#logBytes = 0;
  }

  /** Flushes what is pending, writes a last snapshot (when `compactWith` was given) and closes the log. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.durable().catch(() => undefined);
    await this.#inflight?.catch(() => undefined);
    if (!this.#failed && this.#snapshotOf) {
      try {
        this.compact(this.#snapshotOf());
      } catch (e) {
        this.#options.onWarning?.(`registry persist: the last snapshot could not be written (${(e as Error).message}); the log keeps every change`);
      }
    }
    await this.#fd?.close();
    this.#fd = undefined;
  }

  #kick(): void {
    if (this.#inflight || this.#pending.length === 0 || !this.#fd) return;
    const lines = this.#pending;
    const batch = this.#next ?? deferred();
    this.#pending = [];
    this.#next = undefined;
    const fd = this.#fd;
    this.#inflight = (async () => {
      try {
        const bytes = Buffer.from(lines.join(''));
        for (let off = 0; off < bytes.length; ) off += (await fd.write(bytes, off)).bytesWritten;
        await fd.datasync();
        this.#logBytes += bytes.length;
        batch.resolve();
      } catch (e) {
        this.#failed = new MicroDevError(ErrorCodes.START_FAILED, `registry persist log ${this.logPath} cannot be written: ${(e as Error).message}`, { cause: e });
        batch.reject(this.#failed);
        this.#next?.reject(this.#failed);
        this.#next = undefined;
      }
    })();
    void this.#inflight.then(() => {
      this.#inflight = undefined;
      if (this.#failed) return;
      if (this.#pending.length === 0 && this.#snapshotOf && this.#logBytes > (this.#options.compactBytes ?? 4 * 1024 * 1024)) {
        try {
          this.compact(this.#snapshotOf());
        } catch (e) {
          // The log still holds every change: a failed compaction costs only disk space.
          this.#options.onWarning?.(`registry persist: compaction failed (${(e as Error).message}); the log keeps growing`);
          this.#logBytes = 0;
        }
      }
      this.#kick();
    });
  }

  #load(): PersistTables {
    let tables: PersistTables = new Map();
    let snapshotSeq = 0;
    const snapshot = readIfThere(this.path);
    if (snapshot !== undefined) {
      try {
        const data = JSON.parse(snapshot.toString('utf8')) as { version?: unknown; seq?: unknown; tables?: unknown };
        if (data?.version === 2) {
          if (typeof data.seq !== 'number' || typeof data.tables !== 'object' || data.tables === null) throw new Error('version 2 without seq or tables');
          for (const [name, rows] of Object.entries(data.tables as Record<string, Record<string, unknown>>)) tables.set(name, new Map(Object.entries(rows)));
          snapshotSeq = data.seq;
        } else if (this.#options.upgrade) {
          tables = this.#options.upgrade(data);
        } else {
          throw new Error(`unknown version ${JSON.stringify(data?.version)}`);
        }
      } catch (e) {
        this.#setAside(`${this.path} does not parse (${(e as Error).message})`);
      }
    }
    this.#seq = snapshotSeq;
    const log = readIfThere(this.logPath);
    if (log === undefined) return tables;
    let at = 0;
    let lineNo = 0;
    while (at < log.length) {
      lineNo++;
      const nl = log.indexOf(0x0a, at);
      const end = nl < 0 ? log.length : nl;
      const line = log.subarray(at, end).toString('utf8');
      const record = nl < 0 ? undefined : decodeLine(line);
      if (!record) {
        const rest = nl < 0 ? '' : log.subarray(nl + 1).toString('utf8');
        if (rest.trim() !== '') {
          this.#setAside(`${this.logPath} line ${lineNo} is damaged and records follow it`);
        }
        // The last record was being written when micro-dev died: it was never acknowledged.
        this.#options.onWarning?.(
          `registry persist: discarded a torn last record in ${this.logPath} (line ${lineNo}, ${log.length - at} bytes), left by a crash while it was written`,
        );
        const fd = openSync(this.logPath, 'r+');
        try {
          ftruncateSync(fd, at);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        break;
      }
      at = end + 1;
      if (record.q <= snapshotSeq) continue;
      this.#seq = Math.max(this.#seq, record.q);
      let rows = tables.get(record.t);
      if (!rows) tables.set(record.t, (rows = new Map()));
      if ('v' in record) rows.set(record.k, record.v);
      else rows.delete(record.k);
    }
    this.#logBytes = at;
    return tables;
  }

  #setAside(reason: string): never {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const moved: string[] = [];
    for (const file of [this.path, this.logPath]) {
      if (readIfThere(file) === undefined) continue;
      const to = `${file}.corrupt-${stamp}`;
      renameSync(file, to);
      moved.push(basename(to));
    }
    throw new MicroDevError(ErrorCodes.START_FAILED, `registry persist file ${this.path} is corrupt: ${reason}`, {
      hints: [
        `set aside as ${moved.join(' and ')} in ${dirname(this.path)} (nothing was deleted)`,
        'start again to begin with an empty registry, or repair the file and move it back',
      ],
    });
  }
}

interface LogRecord {
  q: number;
  t: string;
  k: string;
  v?: unknown;
}

function decodeLine(line: string): LogRecord | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const body = line.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    const r = JSON.parse(body) as LogRecord;
    return typeof r.q === 'number' && typeof r.t === 'string' && typeof r.k === 'string' ? r : undefined;
  } catch {
    return undefined;
  }
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new MicroDevError(ErrorCodes.START_FAILED, `registry persist file ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/** A rename or a new file is durable only once its directory is synced. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody awaits (a timer-driven change) must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
