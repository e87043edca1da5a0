/**
 * splitCommand: a command line into argv the way a POSIX shell would split words, without running a shell:
 * single quotes are literal, double quotes allow \" \\ \$ \`, a backslash outside quotes escapes the next char.
 * No globbing, no variables, no operators (`|`, `&&` stay literal words): use `sh -c '...'` for those.
 * Throws Error('unterminated quote ...') on an unclosed quote (the schema turns that into a problem).
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote === '"' ? 'double' : 'single'} quote in command: ${line}`);
  if (inWord) words.push(word);
  return words;
}
