/**
 * One line of etcd's log as a person reads it: zap writes JSON with a Go stack trace on fatal errors;
 * keep its message and error ("discovery failed: listen tcp 127.0.0.1:23504: bind: address already in use").
 */
export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const entry = JSON.parse(line) as { msg?: unknown; error?: unknown };
    if (typeof entry.msg !== 'string') return line;
    return typeof entry.error === 'string' ? `${entry.msg}: ${entry.error}` : entry.msg;
  } catch {
    return line;
  }
}
