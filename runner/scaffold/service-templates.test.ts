import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LANGS, renderServiceTemplate } from './service-templates.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('service templates', () => {
  it.each([
    ['go', 'hello-go'],
    ['python', 'hello-py'],
  ] as const)('examples/polyglot holds the %s template rendered for %s (the example is what new service writes)', async (lang, name) => {
    const files = await renderServiceTemplate(lang, name);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(await readFile(path.join(ROOT, 'examples/polyglot/services', name, f.path), 'utf8'), f.path).toBe(f.text);
    }
  });

  it.each(LANGS)('%s: every {{NAME}} is replaced, and the service registers go.micro.api.NAME', async (lang) => {
    const files = await renderServiceTemplate(lang, 'orders');
    const all = files.map((f) => f.text).join('\n');
    expect(all).not.toContain('{{');
    expect(all).toMatch(/go\.micro\.api\.(orders|" \+ shortName|" \+ SHORT_NAME)/);
    expect(all).toContain('orders');
  });
});
