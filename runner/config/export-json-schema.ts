/**
 * buildJsonSchema: micro.dev.schema.json from the same zod schema the loader checks with, so editors
 * (YAML language server: `# yaml-language-server: $schema=./micro.dev.schema.json`) complete and check keys.
 * Run `npm run schema` (node runner/config/export-json-schema.ts) after changing config-schema.ts;
 * export-json-schema.test.ts fails while the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigSchema } from './config-schema.ts';
import { ownPath } from '../package/own-path.ts';

export const SCHEMA_FILE = ownPath('micro.dev.schema.json');

/** The schema file's exact text (2-space JSON, trailing newline). */
export function buildJsonSchema(): string {
  // io: 'input' describes what may be written (short forms and all), draft-07 is what editors know best.
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-07' });
  return JSON.stringify({ ...schema, title: 'micro-dev topology (micro.dev.yaml)' }, null, 2) + '\n';
}

if (import.meta.main) {
  writeFileSync(SCHEMA_FILE, buildJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
