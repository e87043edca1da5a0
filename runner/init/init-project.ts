/**
 * initProject: what `micro-dev init` writes into a user's project: micro.dev.yaml (its editor schema pointing
 * at the JSON schema shipped in the package) and one sample TypeScript service importing the kit from the
 * package. Writes only new files: when one already exists nothing is written (FILE_EXISTS).
 *
 *   runner/init/templates/micro.dev.yaml      --{{schema}}-->  <dir>/micro.dev.yaml
 *   runner/init/templates/hello-srv/main.ts   -------------->  <dir>/services/hello-srv/main.ts
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { ownPath } from '../package/own-path.ts';

export interface WrittenFile {
  /** Absolute path. */
  file: string;
  /** One line: what it is. */
  what: string;
}

interface Planned extends WrittenFile {
  template: string;
}

/** Writes the topology at `configFile` and the sample service beside it; resolves with what it wrote. */
export async function initProject(configFile: string): Promise<WrittenFile[]> {
  const dir = path.dirname(configFile);
  const planned: Planned[] = [
    {
      file: configFile,
      what: 'the topology: registry :8500, gateway :8080, proxy :8081, web :8082, faults :8474, hello-srv',
      template: 'runner/init/templates/micro.dev.yaml',
    },
    {
      file: path.join(dir, 'services/hello-srv/main.ts'),
      what: 'a sample service (go.micro.srv.hello, Say.Hello) built on micro-dev-orchestrator/kit',
      template: 'runner/init/templates/hello-srv/main.ts',
    },
  ];
  const existing = planned.filter((p) => existsSync(p.file)).map((p) => path.relative(process.cwd(), p.file) || p.file);
  if (existing.length > 0) {
    throw new MicroDevError('FILE_EXISTS', `init: ${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written`, {
      hints: ['init writes only new files: run it in a folder without them, or move them away first'],
    });
  }
  const schema = path.relative(dir, ownPath('micro.dev.schema.json')).split(path.sep).join('/');
  for (const p of planned) {
    const text = (await readFile(ownPath(p.template), 'utf8')).replaceAll('{{schema}}', schema);
    await mkdir(path.dirname(p.file), { recursive: true });
    // 'wx': a file that appeared since the check above is still not overwritten.
    await writeFile(p.file, text, { flag: 'wx' }).catch((cause: unknown) => {
      throw new MicroDevError('FILE_EXISTS', `init: cannot write ${p.file}: ${(cause as Error).message}`, { cause });
    });
  }
  return planned.map(({ file, what }) => ({ file, what }));
}
