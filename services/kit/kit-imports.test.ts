import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The kit is a library users import from the package (`micro-dev-orchestrator/kit`): it may import its own
// files, Node built-ins and the package's dependencies, never anything under runner/.
const KIT = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(KIT, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const sources = readdirSync(KIT).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

function specifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(/(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*)['"]([^'"\s]+)['"]/g)].map((m) => m[1]!);
}

describe('services/kit imports', () => {
  it('has sources to check', () => {
    expect(sources).toContain('service.ts');
    expect(sources).toContain('index.ts');
  });

  it.each(sources)('%s imports only the kit, node: built-ins and package dependencies', (file) => {
    for (const spec of specifiers(readFileSync(path.join(KIT, file), 'utf8'))) {
      if (spec.startsWith('.')) {
        expect(path.resolve(KIT, spec).startsWith(KIT + path.sep), `${file} imports ${spec}`).toBe(true);
      } else if (!spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(pkg.dependencies, `${file} imports ${spec}, which is not a dependency`).toHaveProperty([name]);
      }
    }
  });
});
