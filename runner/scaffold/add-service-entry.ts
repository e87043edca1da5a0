/**
 * addServiceEntry: adds `services.<name>` to a micro.dev.yaml text and leaves every other byte as the user
 * wrote it (comments, their spacing, quoting, blank lines). The `yaml` package's Document API finds where
 * `services:` ends and renders the new entry; the entry's text is spliced in after the last service's last
 * line, indented like the services already there, with a comment line above it. Pure: text in, text out.
 *
 *   services: (block map) ──> after the line holding the last item's end ──> "\n  # comment\n  name:\n    ..."
 *   services: (empty) or no services key ──> the entry right under the bare `services:` line, or appended
 *   services: {a: ...} (flow map) ──> the whole document re-rendered (a flow map has no line to add)
 */
import YAML, { isMap, isScalar, type Document, type YAMLMap } from 'yaml';
import { isDeepStrictEqual } from 'node:util';
import { MicroDevError } from '../errors/micro-dev-error.ts';

export function addServiceEntry(text: string, file: string, name: string, entry: Record<string, unknown>, comment: string): string {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0];
    throw new MicroDevError('CONFIG_INVALID', `${file}${at ? `:${at.line}:${at.col}` : ''}: ${e.message.split('\n')[0]}`, {
      hints: ['fix the YAML first (micro-dev validate shows every problem)'],
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new MicroDevError('CONFIG_INVALID', `${file}: the top level is not a map of keys (name:, services:, ...)`);
  }
  const services = doc.get('services', true);
  if (services !== undefined && !isMap(services) && !(isScalar(services) && services.value === null)) {
    throw new MicroDevError('CONFIG_INVALID', `${file}: services is not a map of services`);
  }
  if (isMap(services) && services.has(name)) {
    throw new MicroDevError('BAD_ARGUMENTS', `services.${name} is already in ${file}`, { hints: ['choose another name, or remove that entry first'] });
  }

  const out =
    isMap(services) && !services.flow && services.items.length > 0
      ? splice(text, services, name, entry, comment)
      : services === undefined || (isScalar(services) && services.value === null)
        ? underServicesLine(text, doc, name, entry, comment)
        : rerender(doc, name, entry, comment);
  // The result must read back as the input plus exactly this entry.
  const before = (YAML.parse(text) ?? {}) as Record<string, unknown>;
  const after = YAML.parse(out) as Record<string, unknown>;
  const expected = { ...before, services: { ...((before.services as object | null) ?? {}), [name]: entry } };
  if (!isDeepStrictEqual(after, expected)) {
    throw new MicroDevError('INTERNAL', `could not add services.${name} to ${file} without changing the rest; add it by hand`);
  }
  return out;
}

/** The entry as block YAML (`name:` then its keys), small maps on one line, as the default file writes them. */
function entryText(name: string, entry: Record<string, unknown>): string {
  const doc = new YAML.Document({ [name]: entry });
  const value = (doc.contents as YAMLMap).items[0]!.value as YAMLMap;
  for (const item of value.items) if (isMap(item.value)) item.value.flow = true;
  return doc.toString();
}

function splice(text: string, services: YAMLMap, name: string, entry: Record<string, unknown>, comment: string): string {
  const first = services.items[0]!.key as { range?: [number, number, number] };
  const keyAt = first.range?.[0] ?? 0;
  const indent = ' '.repeat(keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1));
  // After the line that holds the end of the last service's value (its trailing comment stays on it).
  const end = services.range?.[1] ?? text.length;
  const lineEnd = text.indexOf('\n', Math.max(0, end - 1));
  const at = lineEnd === -1 ? text.length : lineEnd + 1;
  const lines = entryText(name, entry).trimEnd().split('\n').map((l) => indent + l);
  const block = ['', `${indent}# ${comment}`, ...lines].join('\n') + '\n';
  const head = text.slice(0, at);
  return (head.endsWith('\n') || head === '' ? head : head + '\n') + block + text.slice(at);
}

/** `services:` with nothing under it (comments stay, after the entry), or no `services:` at all (appended). */
function underServicesLine(text: string, doc: Document, name: string, entry: Record<string, unknown>, comment: string): string {
  const block = [`  # ${comment}`, ...entryText(name, entry).trimEnd().split('\n').map((l) => `  ${l}`)].join('\n') + '\n';
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'services') : undefined;
  const keyEnd = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[1];
  if (keyEnd === undefined) return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}services:\n${block}`;
  const lineEnd = text.indexOf('\n', keyEnd);
  if (lineEnd === -1) return `${text}\n${block}`;
  return text.slice(0, lineEnd + 1) + block + text.slice(lineEnd + 1);
}

function rerender(doc: Document, name: string, entry: Record<string, unknown>, comment: string): string {
  let services = doc.get('services', true);
  if (!isMap(services)) {
    doc.set('services', doc.createNode({}));
    services = doc.get('services', true);
  }
  const map = services as YAMLMap;
  map.flow = false;
  const pair = doc.createPair(name, entry);
  const key = pair.key as YAML.Scalar;
  key.spaceBefore = map.items.length > 0;
  key.commentBefore = ` ${comment}`;
  for (const item of (pair.value as YAMLMap).items) if (isMap(item.value)) item.value.flow = true;
  map.items.push(pair);
  return doc.toString();
}
