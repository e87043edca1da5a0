/** One plain output line: `HH:MM:SS.mmm  text` (the --no-tui log format). */
export function plainLine(text: string, at = new Date()): string {
  const time = at.toISOString().slice(11, 23);
  return `${time}  ${text}\n`;
}
