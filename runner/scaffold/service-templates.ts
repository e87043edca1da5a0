/**
 * The service templates `micro-dev new service` writes, one folder per language under templates/ (shipped
 * verbatim in the package, found through ownPath), and the topology entry each one needs.
 * `{{NAME}}` in a template is the service's name. examples/polyglot holds the go and python templates
 * rendered for hello-go and hello-py (a test keeps them equal).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ownPath } from '../package/own-path.ts';

export const LANGS = ['ts', 'go', 'python'] as const;
export type Lang = (typeof LANGS)[number];

const TEMPLATES = ownPath('runner/scaffold/templates');

export interface RenderedFile {
  /** Path inside the service's folder (`main.go`). */
  path: string;
  text: string;
}

/** The template files of `lang` with `{{NAME}}` replaced by `name`, sorted by path. */
export async function renderServiceTemplate(lang: Lang, name: string): Promise<RenderedFile[]> {
  const dir = path.join(TEMPLATES, lang);
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const files = await Promise.all(
    names.map(async (e) => {
      const full = path.join(e.parentPath, e.name);
      return { path: path.relative(dir, full), text: (await readFile(full, 'utf8')).replaceAll('{{NAME}}', name) };
    }),
  );
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The registered service name: the API gateway's default namespace, so `GET /NAME/say/hello` reaches it. */
export const registeredName = (name: string) => `go.micro.api.${name}`;

/**
 * The `services.<name>` entry for micro.dev.yaml; `folder` is the service's folder relative to the config
 * file (posix separators). Only what differs from the defaults.
 */
export function serviceEntry(lang: Lang, name: string, folder: string): Record<string, unknown> {
  if (lang === 'ts') return { module: `${folder}/main.ts` };
  if (lang === 'python') return { runtime: 'process', cwd: folder, command: 'python3 -u main.py' };
  return {
    runtime: 'process',
    cwd: folder,
    command: `sh -c "go build -o bin/${name} . && exec ./bin/${name}"`,
    readiness: { registered: { timeout: '2m' } },
    watch: { build: `go build -o bin/${name} .`, ignore: ['bin/'] },
  };
}

/** The tool a language's service needs on PATH (none for ts: Node runs it), with its Debian package. */
export function toolOf(lang: Lang): { command: string; debian: string } | undefined {
  if (lang === 'go') return { command: 'go', debian: 'golang-go' };
  if (lang === 'python') return { command: 'python3', debian: 'python3' };
  return undefined;
}
