import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildJsonSchema, SCHEMA_FILE } from './export-json-schema.ts';

describe('micro.dev.schema.json', () => {
  it('is up to date with config-schema.ts (run `npm run schema` if not)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(buildJsonSchema());
  });

  it('is strict and knows the service keys', () => {
    const schema = JSON.parse(buildJsonSchema());
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const service = schema.properties.services.additionalProperties;
    expect(service.additionalProperties).toBe(false);
    expect(Object.keys(service.properties)).toEqual(
      expect.arrayContaining(['runtime', 'module', 'command', 'depends_on', 'readiness', 'restart', 'stop_timeout', 'watch', 'container']),
    );
  });
});
