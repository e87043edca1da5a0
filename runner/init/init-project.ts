/**
 * initProject: what `micro-dev init` writes into a user's project: micro.dev.yaml (its editor schema pointing
 * at the JSON schema shipped in the package) and one sample TypeScript service importing the kit from the
 * package: the same template `micro-dev new service hello --lang ts` writes. Writes only new files: when
 * one already exists nothing is written (FILE_EXISTS).
 *
 *   runner/init/templates/micro.dev.yaml  --{{schema}}-->  <dir>/micro.dev.yaml
 *   runner/scaffold/templates/ts/main.ts  --{{NAME}}--->  <dir>/services/hello/main.ts
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { ownPath } from '../package/own-path.ts';
import { registeredName, renderServiceTemplate } from '../scaffold/service-templates.ts';

/** The sample service's name (its folder, its key in micro.dev.yaml, `go.micro.api.<name>`). */
export const SAMPLE = 'hello';

export interface WrittenFile {
  /** Absolute path. */
  file: string;
  /** One line: what it is. */
  what: string;
}

interface Planned extends WrittenFile {
  text: string;
}

/** Writes the topology at `configFile` and the sample service beside it; resolves with what it wrote. */
export async function initProject(configFile: string): Promise<WrittenFile[]> {
  const dir = path.dirname(configFile);
  const schema = path.relative(dir, ownPath('micro.dev.schema.json')).split(path.sep).join('/');
  const topology = (await readFile(ownPath('runner/init/templates/micro.dev.yaml'), 'utf8')).replaceAll('{{schema}}', schema);
  const service = await renderServiceTemplate('ts', SAMPLE);
  const planned: Planned[] = [
    {
      file: configFile,
      what: `the topology: registry :8500, gateway :8080, proxy :8081, web :8082, faults :8474, ${SAMPLE}`,
      text: topology,
    },
    ...service.map((f) => ({
      file: path.join(dir, 'services', SAMPLE, f.path),
      what:
        f.path === 'package.json'
          ? 'marks the sample as an ES module (whatever "type" the project has)'
          : `a sample service (${registeredName(SAMPLE)}: Say.Hello, Greeter.Hello) on micro-dev-orchestrator/kit`,
      text: f.text,
    })),
  ];
  const existing = planned.filter((p) => existsSync(p.file)).map((p) => path.relative(process.cwd(), p.file) || p.file);
  if (existing.length > 0) {
    throw new MicroDevError('FILE_EXISTS', `init: ${listOf(existing)} already exist${existing.length === 1 ? 's' : ''}; nothing was written`, {
      hints: ['init writes only new files: run it in a folder without them, or move them away first'],
    });
  }
  for (const p of planned) {
    await mkdir(path.dirname(p.file), { recursive: true });
    // 'wx': a file that appeared since the check above is still not overwritten.
    await writeFile(p.file, p.text, { flag: 'wx' }).catch((cause: unknown) => {
      throw new MicroDevError('FILE_EXISTS', `init: cannot write ${p.file}: ${(cause as Error).message}`, { cause });
    });
  }
  return planned.map(({ file, what }) => ({ file, what }));
}

/** `a`, `a and b`, `a, b and c`. */
function listOf(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
