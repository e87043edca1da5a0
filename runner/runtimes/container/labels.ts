/**
 * Labels on every container and network micro-dev creates: they are how `sweep` finds leftovers of a dead
 * session (the owner pid is gone) without any state file.
 */
export const Labels = {
  session: 'dev.micro-dev.session',
  topology: 'dev.micro-dev.topology',
  instance: 'dev.micro-dev.instance',
  service: 'dev.micro-dev.service',
  /** Pid of the micro-dev process that owns the session (the `up`, or a test runner). */
  pid: 'dev.micro-dev.pid',
} as const;

export interface SessionLabels {
  session: string;
  topology: string;
}

/** Labels for a network (no instance). */
export function networkLabels(s: SessionLabels): Record<string, string> {
  return { [Labels.session]: s.session, [Labels.topology]: s.topology, [Labels.pid]: String(process.pid) };
}

export function containerLabels(s: SessionLabels, instance: string, service: string): Record<string, string> {
  return { ...networkLabels(s), [Labels.instance]: instance, [Labels.service]: service };
}

/** A short random session id: `<pid base36>-<6 hex>`; unique enough to name networks. */
export function newSessionId(): string {
  const random = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0');
  return `${process.pid.toString(36)}-${random}`;
}
