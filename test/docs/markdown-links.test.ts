/**
 * Every link in every Markdown file of the repository resolves: a relative link names a file or folder
 * that exists (its #anchor, when it has one, names a heading of that file), and so does a Markdown file
 * named in a code span (`runner/registry/DIFFERENCES.md`), relative to the page or to the repository root.
 * Links are read with a real Markdown parser, so a `[x](y)` inside a code block is not a link. Web links
 * are not fetched (offline).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli-process.ts';

const md = new MarkdownIt({ html: true });

/** Markdown files git tracks or would track (untracked ones too, ignored ones not). */
function markdownFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: repoRoot, encoding: 'utf8' });
  return out.split('\n').filter((f) => f !== '' && existsSync(join(repoRoot, f)));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** A code span that names a Markdown file (`runner/registry/DIFFERENCES.md`): a reference readers follow. */
const MD_PATH = /^[\w.-]+(\/[\w.-]+)*\.md(#[\w-]+)?$/;

/** Links (and images); with `paths`, also the code spans that name a Markdown file. */
function linksOf(text: string, paths = false): string[] {
  const links: string[] = [];
  const walk = (tokens: ReturnType<typeof md.parse>) => {
    for (const t of tokens) {
      if (t.type === 'link_open' || t.type === 'image') {
        const target = t.attrGet(t.type === 'image' ? 'src' : 'href');
        if (target) links.push(String(target));
      }
      if (paths && t.type === 'code_inline' && MD_PATH.test(t.content)) links.push(t.content);
      if (t.children) walk(t.children);
    }
  };
  walk(md.parse(text, {}));
  return links;
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const tokens = md.parse(text, {});
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]!.type === 'heading_open') anchors.add(slug(tokens[i + 1]!.content));
  }
  return anchors;
}

/**
 * What is wrong with one link of `file`, or undefined when it resolves. A path in a code span may also be
 * relative to the repository root (`runner/gateway/README.md` written in a page under `services/`), or
 * name a design reference (`reference/registry.md`, `registry.md`: docs/reference/).
 */
function problem(file: string, link: string, fromRootToo = false): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link)) return undefined; // https:, mailto:… (not fetched)
  const [pathPart, anchor] = link.split('#', 2) as [string, string | undefined];
  let target = pathPart === '' ? join(repoRoot, file) : resolve(repoRoot, dirname(file), decodeURIComponent(pathPart));
  if (fromRootToo && !existsSync(target)) {
    // Also from the root, and the design references as pages cite them: `reference/x.md` or `x.md`.
    const found = [repoRoot, join(repoRoot, 'docs'), join(repoRoot, 'docs', 'reference')].map((base) => resolve(base, pathPart)).find((p) => existsSync(p));
    if (found) target = found;
  }
  if (!target.startsWith(repoRoot)) return `${link} points outside the repository`;
  if (!existsSync(target)) return `${link}: ${relative(repoRoot, target)} does not exist`;
  if (anchor && target.endsWith('.md') && statSync(target).isFile() && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
    return `${link}: no heading #${anchor} in ${relative(repoRoot, target)}`;
  }
  return undefined;
}

describe('Markdown links', () => {
  const files = markdownFiles();

  it('finds the repository\'s Markdown files', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'AGENTS.md', 'services/kit/README.md']));
  });

  it('every relative link in every Markdown file resolves', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const link of linksOf(readFileSync(join(repoRoot, file), 'utf8'))) {
        const why = problem(file, link);
        if (why) broken.push(`${file}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every Markdown file a page names in a code span exists (a reference readers follow by hand)', () => {
    const broken: string[] = [];
    // The design references cite upstream repositories' files in code spans (docs/reference/README.md).
    for (const file of files.filter((f) => !f.startsWith('docs/reference/'))) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      const links = new Set(linksOf(text));
      // `../shared/…` in AGENTS.md is the workspace of the people building micro-dev, not part of the repo.
      for (const path of linksOf(text, true).filter((l) => !links.has(l) && !l.startsWith('../'))) {
        const why = problem(file, path, true);
        if (why) broken.push(`${file}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('catches a broken link, a missing anchor and ignores links in code', () => {
    expect(linksOf('see [a](missing.md) and `[b](code.md)`\n\n```\n[c](block.md)\n```\n')).toEqual(['missing.md']);
    expect(linksOf('as `reference/micro-api.md` says, not `x.ts`', true)).toEqual(['reference/micro-api.md']);
    expect(problem('services/kit/README.md', 'runner/gateway/README.md', true)).toBeUndefined();
    expect(problem('runner/registry/README.md', 'reference/registry.md', true)).toBeUndefined();
    expect(problem('services/kit/README.md', 'reference/nothing.md', true)).toBe('reference/nothing.md: services/kit/reference/nothing.md does not exist');
    expect(problem('README.md', 'missing-file.md')).toBe('missing-file.md: missing-file.md does not exist');
    expect(problem('README.md', 'AGENTS.md#no-such-heading')).toBe('AGENTS.md#no-such-heading: no heading #no-such-heading in AGENTS.md');
    expect(problem('README.md', 'AGENTS.md#commands')).toBeUndefined();
    expect(problem('README.md', 'https://example.com/x.md')).toBeUndefined();
  });
});
