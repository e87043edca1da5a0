import type { RawConfig } from '../config-schema.ts';

/**
 * Where one depends_on entry sits in the YAML: `[..., 'depends_on', index]` in the list form,
 * `[..., 'depends_on', dep]` (point at the key) in the map form.
 */
export function dependsOnPath(raw: RawConfig, service: string, dep: string, index: number): { path: (string | number)[]; at: 'key' | 'value' } {
  const written = raw.services?.[service]?.depends_on;
  return written && !Array.isArray(written)
    ? { path: ['services', service, 'depends_on', dep], at: 'key' }
    : { path: ['services', service, 'depends_on', index], at: 'value' };
}
