/**
 * SIGINT / SIGTERM / SIGHUP from the moment the CLI loads, so Ctrl-C at any moment of `up`'s start-up (even
 * while its modules load or its config is read) reaches `up`'s clean stop instead of killing the process.
 *
 *   signal ──> held until the command is known ──> claimed: the command's handler (now, or at claim time)
 *                                               └─> released: the signal's default (the process ends by it)
 *
 * Imported first by main.ts: installing the listeners is this module's side effect.
 */
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ShutdownSignal = (typeof signals)[number];

let handler: ((signal: ShutdownSignal) => void) | undefined;
let released = false;
const held: ShutdownSignal[] = [];

function onSignal(signal: ShutdownSignal): void {
  if (handler) handler(signal);
  else if (released) reraise(signal);
  else held.push(signal);
}

for (const signal of signals) process.on(signal, onSignal);
// The launcher (bin/micro-dev.js) holds signals from its first line until this module has loaded.
const early = (globalThis as Record<symbol, unknown>)[Symbol.for('micro-dev.early-signals')] as
  | { held: ShutdownSignal[]; hold: (signal: ShutdownSignal) => void }
  | undefined;
if (early) {
  for (const signal of signals) process.off(signal, early.hold);
  held.push(...early.held.splice(0));
}

/** The command handles shutdown signals from now on; one that arrived before is handed over at once. */
export function claimShutdownSignals(onShutdown: (signal: ShutdownSignal) => void): void {
  handler = onShutdown;
  for (const signal of held.splice(0)) onShutdown(signal);
}

/** The command does not handle them: the default behaviour (end by the signal), also for one held already. */
export function releaseShutdownSignals(): void {
  released = true;
  for (const s of signals) process.off(s, onSignal);
  const first = held.shift();
  if (first) reraise(first);
}

function reraise(signal: ShutdownSignal): void {
  for (const s of signals) process.off(s, onSignal);
  process.kill(process.pid, signal);
}
