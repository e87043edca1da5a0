import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findConfigFile } from './find-config-file.ts';

describe('findConfigFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'find-config-'));
  const project = join(root, 'project');
  const deep = join(project, 'services', 'greeter', 'src');
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(project, 'micro.dev.yaml'), 'services: {}\n');

  it.each([
    { from: project, want: join(project, 'micro.dev.yaml') },
    { from: deep, want: join(project, 'micro.dev.yaml') },
    { from: root, want: join(root, 'micro.dev.yaml') },
  ])('from $from', ({ from, want }) => {
    expect(findConfigFile(from)).toBe(want);
  });

  it('the nearest one wins', () => {
    writeFileSync(join(project, 'services', 'micro.dev.yaml'), 'services: {}\n');
    expect(findConfigFile(deep)).toBe(join(project, 'services', 'micro.dev.yaml'));
  });
});
