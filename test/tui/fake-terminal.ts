import { EventEmitter } from 'node:events';

/** A writable "terminal" for runDashboard: keeps everything written; size can change with resize(). */
export class FakeTerminalOut extends EventEmitter {
  output = '';
  columns: number;
  rows: number;
  isTTY: boolean;

  constructor(columns = 100, rows = 30, isTTY = false) {
    super();
    this.columns = columns;
    this.rows = rows;
    this.isTTY = isTTY;
  }

  write(chunk: string | Uint8Array): boolean {
    this.output += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }

  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** Keyboard input the way ink reads it (readable + read()), in raw mode. */
export class FakeTerminalIn extends EventEmitter {
  isTTY = true;
  rawMode = false;
  #pending: string[] = [];

  press(data: string): void {
    this.#pending.push(data);
    this.emit('readable');
  }

  read(): string | null {
    return this.#pending.shift() ?? null;
  }

  setRawMode(on: boolean): this {
    this.rawMode = on;
    return this;
  }

  setEncoding(): this {
    return this;
  }

  resume(): this {
    return this;
  }

  pause(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }
}

export function asStreams(out: FakeTerminalOut, input: FakeTerminalIn) {
  return {
    stdout: out as unknown as NodeJS.WriteStream,
    stdin: input as unknown as NodeJS.ReadStream,
  };
}
