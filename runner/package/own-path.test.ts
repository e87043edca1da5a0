import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWN_PACKAGE_JSON, OWN_ROOT, RUNNING_COMPILED, ownPath } from './own-path.ts';

// The compiled side (dist/, .js) is pinned by test/package/packed-tarball.test.ts, which runs the packed build.
describe('ownPath in the checkout', () => {
  it('is not the compiled build and finds the repository root', () => {
    expect(RUNNING_COMPILED).toBe(false);
    expect(JSON.parse(readFileSync(OWN_PACKAGE_JSON, 'utf8')).name).toBe('micro-dev-orchestrator');
    expect(path.dirname(OWN_PACKAGE_JSON)).toBe(OWN_ROOT);
  });

  it('names modules by their .ts path and data files as they are', () => {
    const guard = ownPath('runner/runtimes/process/guard.ts');
    expect(guard).toBe(path.join(OWN_ROOT, 'runner/runtimes/process/guard.ts'));
    expect(existsSync(guard)).toBe(true);
    expect(existsSync(ownPath('micro.dev.schema.json'))).toBe(true);
    expect(existsSync(ownPath('scenarios/crash-restart.yaml'))).toBe(true);
  });

  it('refuses an absolute path (callers name files from the repository root)', () => {
    expect(() => ownPath('/etc/passwd')).toThrow(/from the repository root/);
  });
});

describe('files loaded by path', () => {
  // `new URL('./x.ts', import.meta.url)` names a file the installed package does not have (it ships x.js):
  // packed worker hosts failed that way in the installed package until they went through ownPath.
  it('no module of runner/ or services/ names a sibling .ts by URL (ownPath does it in both builds)', () => {
    const offenders: string[] = [];
    for (const top of ['runner', 'services']) {
      for (const entry of readdirSync(path.join(OWN_ROOT, top), { recursive: true, withFileTypes: true })) {
        const file = path.join(entry.parentPath, entry.name);
        if (!entry.isFile() || !file.endsWith('.ts') || file.endsWith('.test.ts') || file.split(path.sep).includes('templates')) continue;
        const text = readFileSync(file, 'utf8');
        if (/new URL\(\s*['"`][^'"`]*\.ts['"`]\s*,\s*import\.meta\.url/.test(text)) offenders.push(path.relative(OWN_ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
