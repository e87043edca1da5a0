/**
 * parseYamlWithPositions: step 1 of the config pipeline. YAML text -> plain JS value, plus a way to find where
 * any path (`['services', 'greeter-api', 'depends_on', 0]`) sits in the file, so later steps (zod shape,
 * validators) can point a problem at the offending key or value. YAML syntax errors become problems with
 * their line:col; the value is then undefined.
 *
 *   text --yaml.parseDocument(LineCounter)--> Document --toJS--> value
 *                                                 └── locate(path, 'key' | 'value') -> {line, col} (1-based)
 *
 * Pure: reads no files. Reused by the scenario loader.
 */
import { Alias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigProblem } from './config-problem.ts';

export type YamlPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

export interface ParsedYaml {
  file: string;
  /** The document as plain data; undefined when there were syntax errors. An empty document is null. */
  value: unknown;
  /** Syntax errors (empty when the YAML parsed). */
  problems: ConfigProblem[];
  /**
   * Where `path` sits: its key (`at: 'key'`, the default for map entries) or its value. A path that does not
   * exist (a missing key) resolves to its deepest existing ancestor's key; `[]` is the document start.
   */
  locate(path: YamlPath, at?: 'key' | 'value'): Position;
  /** A problem at `locate(path, at)`. */
  problemAt(path: YamlPath, message: string, at?: 'key' | 'value'): ConfigProblem;
}

export function parseYamlWithPositions(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // merge: YAML 1.1 `<<: *defaults` is how people share env blocks between services.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const problems: ConfigProblem[] = doc.errors.map((e) => {
    // Indentation errors start at the line's first column; the offending text starts after the blanks.
    let at = e.pos[0];
    while (text[at] === ' ' || text[at] === '\t') at++;
    const { line, col } = lineCounter.linePos(at);
    return { file, line, col, message: `YAML syntax error: ${firstLine(e.message)}` };
  });
  const start = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]) : { line: 1, col: 1 };

  const locate = (path: YamlPath, at: 'key' | 'value' = 'key'): Position => {
    const offset = offsetOf(doc, path, at);
    return offset === undefined ? start : lineCounter.linePos(offset);
  };
  return {
    file,
    value: problems.length > 0 ? undefined : doc.toJS({ maxAliasCount: 1000 }),
    problems,
    locate,
    problemAt: (path, message, at) => ({ file, ...locate(path, at), message }),
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** Offset of the key or value at path; the deepest existing ancestor's key when path runs out. */
function offsetOf(doc: Document, path: YamlPath, at: 'key' | 'value'): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = (node as Node | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    const last = i === path.length - 1;
    if (node instanceof Alias) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === String(seg));
      if (!pair) return best;
      const keyOffset = (pair.key as Node | null)?.range?.[0];
      // An empty value (`a:` then nothing) has a zero-width range after the colon: the key reads better.
      const v = pair.value as Node | null;
      const valueOffset = v?.range && v.range[1] > v.range[0] ? v.range[0] : undefined;
      if (last) return at === 'key' ? (keyOffset ?? valueOffset ?? best) : (valueOffset ?? keyOffset ?? best);
      best = keyOffset ?? best;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      const itemOffset = item?.range?.[0];
      if (itemOffset === undefined) return best;
      if (last) return itemOffset;
      best = itemOffset;
      node = item;
    } else {
      return best;
    }
  }
  return (node as Node | null)?.range?.[0] ?? best;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
