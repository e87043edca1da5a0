/**
 * newServiceInProject: `micro-dev new service NAME --lang ts|go|python`. Writes the language's template into
 * `services/NAME/` beside the config file and adds `services.NAME` to it (comments and formatting kept).
 * Checks everything before writing anything; never overwrites (an existing folder or entry is an error).
 *
 *   name ok? lang ok? config readable? services/NAME absent? entry absent? ──> write files ──> write config
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { didYouMean } from '../config/did-you-mean.ts';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { addServiceEntry } from './add-service-entry.ts';
import { LANGS, registeredName, renderServiceTemplate, serviceEntry, type Lang } from './service-templates.ts';

/** Lower-case words joined by `-`: a folder, a Go module, a gateway path segment and a service name at once. */
const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export interface NewServiceResult {
  /** Files written, absolute. */
  files: string[];
  configFile: string;
  /** The service's folder, relative to the config file's folder. */
  folder: string;
  registered: string;
  lang: Lang;
}

export function checkLang(value: string | undefined): Lang {
  if (value === undefined) {
    throw new MicroDevError('BAD_ARGUMENTS', `new service: --lang is required (${LANGS.join(' | ')})`, {
      hints: ['e.g. micro-dev new service orders --lang go'],
    });
  }
  if ((LANGS as readonly string[]).includes(value)) return value as Lang;
  const alias: Record<string, Lang> = { typescript: 'ts', golang: 'go', py: 'python', python3: 'python' };
  const near = alias[value.toLowerCase()] ?? didYouMean(value, [...LANGS]);
  throw new MicroDevError('BAD_ARGUMENTS', `new service: unknown --lang "${value}"${near ? ` (did you mean "${near}"?)` : ''}; known: ${LANGS.join(', ')}`);
}

export function checkName(name: string | undefined): string {
  if (name === undefined || name === '') {
    throw new MicroDevError('BAD_ARGUMENTS', 'new service: name the service, e.g. micro-dev new service orders --lang go');
  }
  if (!NAME.test(name) || name.length > 40) {
    throw new MicroDevError(
      'BAD_ARGUMENTS',
      `new service: "${name}" is not a usable name (lower-case letters and digits, words joined by "-", starting with a letter, at most 40 characters)`,
      { hints: [`e.g. ${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '') || 'orders'}`] },
    );
  }
  return name;
}

export async function newServiceInProject(options: { configFile: string; name: string; lang: Lang }): Promise<NewServiceResult> {
  const { configFile, name, lang } = options;
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  let text: string;
  try {
    text = await readFile(configFile, 'utf8');
  } catch {
    throw new MicroDevError('CONFIG_NOT_FOUND', `no topology at ${rel(configFile)}: new service adds the service to it`, {
      hints: ['create one with: npx micro-dev init', 'or name another with -c FILE'],
    });
  }
  const projectDir = path.dirname(configFile);
  const folder = `services/${name}`;
  const serviceDir = path.join(projectDir, 'services', name);
  if (existsSync(serviceDir)) {
    throw new MicroDevError('BAD_ARGUMENTS', `new service: ${rel(serviceDir)} already exists; nothing was written`, {
      hints: ['choose another name, or move that folder away first'],
    });
  }
  const registered = registeredName(name);
  const comment = `${name} (${lang}): ${registered}, written by micro-dev new service; GET /${name}/say/hello?name=John`;
  const updated = addServiceEntry(text, rel(configFile), name, serviceEntry(lang, name, folder), comment);
  const files = await renderServiceTemplate(lang, name);

  await mkdir(serviceDir, { recursive: true });
  const written: string[] = [];
  for (const f of files) {
    const target = path.join(serviceDir, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.text, { flag: 'wx' }); // wx: never overwrite, even in a race
    written.push(target);
  }
  await writeFile(configFile, updated);
  return { files: written, configFile, folder, registered, lang };
}
