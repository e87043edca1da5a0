/**
 * guard: a tiny Node program between micro-dev and every process instance, so that no instance outlives
 * micro-dev, even when micro-dev is SIGKILLed and cannot clean up.
 *
 *   micro-dev ──stdin pipe + IPC──> guard ──spawn(detached: own process group)──> command ──> grandchildren
 *                 (the "link")        │                                              (same group)
 *                                     └─ link closes (parent died) / SIGTERM to guard / command exits:
 *                                        SIGTERM (+SIGCONT) to the whole group, grace, SIGKILL
 *
 * Run as `process.execPath guard.ts`; no imports from the project so it starts fast. Protocol (IPC):
 *   in : {type:'run', command: string[], cwd, env, graceMs}   {type:'signal', signal}
 *   out: {type:'started', pid}   {type:'spawn-error', code, message}   {type:'exit', code, signal}
 * The command's stdout/stderr are the guard's own (inherited), so micro-dev reads them without a copy.
 * Limit: a descendant that leaves the group (setsid, double fork into a new group) is not tracked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface RunMessage {
  type: 'run';
  command: string[];
  cwd: string;
  env: Record<string, string>;
  graceMs: number;
}
interface SignalMessage {
  type: 'signal';
  signal: NodeJS.Signals;
}

let child: ChildProcess | undefined;
let pgid = 0;
let graceMs = 5000;
let shuttingDown = false;

function send(message: object): void {
  if (!process.connected) return; // the link is gone: nobody to tell
  // With a callback, a send that races a closing channel reports to it instead of emitting an 'error'
  // that would end the guard with code 1 before the command's own exit is relayed.
  process.send?.(message, undefined, undefined, () => undefined);
}

function signalGroup(signal: NodeJS.Signals): void {
  if (!pgid) return;
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
}

/** True while any non-zombie process is left in the group (zombies may never be reaped if PID 1 does not). */
function groupAlive(): boolean {
  if (!pgid) return false;
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command: state ppid pgrp ...
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
    } catch {
      // Process vanished while scanning.
    }
  }
  return false;
}

/** SIGTERM the group, then SIGKILL once graceMs has passed, polling (bounded) until it is empty. */
function terminateGroup(onDone: () => void): void {
  if (!groupAlive()) return onDone();
  signalGroup('SIGTERM');
  signalGroup('SIGCONT'); // a paused group would never act on SIGTERM
  const deadline = Date.now() + graceMs;
  const poll = () => {
    if (!groupAlive()) return onDone();
    if (Date.now() >= deadline) {
      signalGroup('SIGKILL');
      return onDone();
    }
    setTimeout(poll, 20);
  };
  setTimeout(poll, 20);
}

function leave(): void {
  try {
    process.disconnect?.();
  } catch {
    // already disconnected
  }
  process.stdin.destroy();
}

/** The parent is gone or asked us to go: take the whole group down, then leave. */
function shutdown(): void {
  if (shuttingDown) return;
  shuttingDown = true;
  terminateGroup(() => {
    // The group can look empty (the command a zombie) before its 'exit' event has run: relay that first.
    if (child && child.exitCode === null && child.signalCode === null) child.once('exit', () => setImmediate(leave));
    else leave();
    // Leftover handles (a child that ignores everything) must not keep an orphaned guard around.
    setTimeout(() => process.exit(0), 100).unref();
  });
}

function run(message: RunMessage): void {
  if (child) return;
  graceMs = message.graceMs;
  const [file, ...args] = message.command;
  child = spawn(file, args, { cwd: message.cwd, env: message.env, stdio: ['ignore', 'inherit', 'inherit'], detached: true });
  child.once('spawn', () => {
    pgid = child?.pid ?? 0;
    send({ type: 'started', pid: pgid });
    if (shuttingDown) signalGroup('SIGKILL');
  });
  child.once('error', (error: NodeJS.ErrnoException) => {
    if (pgid) return; // errors after spawn (e.g. a failed kill) are not start failures
    send({ type: 'spawn-error', code: error.code ?? 'UNKNOWN', message: error.message });
    leave();
  });
  child.once('exit', (code, signal) => {
    send({ type: 'exit', code, signal });
    // The command is gone; its group may not be (background jobs). They go too.
    shuttingDown = true;
    terminateGroup(leave);
  });
}

process.on('message', (message: RunMessage | SignalMessage) => {
  if (message.type === 'run') run(message);
  else if (message.type === 'signal') signalGroup(message.signal);
});
process.on('disconnect', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
// Ctrl-C and a terminal hang-up reach every process in micro-dev's group, guards included: micro-dev decides
// what they mean (orderly teardown, no restarts); if it dies of them, the broken link brings us down anyway.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
