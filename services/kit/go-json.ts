/**
 * JSON exactly as Go's encoding/json writes it: compact, with `<`, `>`, `&`, U+2028 and U+2029 escaped
 * (Go's default SetEscapeHTML(true)). Those characters can only occur inside JSON strings, so a textual
 * replace after JSON.stringify is safe.
 */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** What go's json.Encoder.Encode writes: goJson plus a trailing newline (the mucp JSON codec uses it). */
export function goJsonLine(value: unknown): string {
  return goJson(value) + '\n';
}
