import { createRequire } from 'node:module';
import path from 'node:path';
import { parseCli } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { initProject, SAMPLE } from '../../init/init-project.ts';
import { registeredName } from '../../scaffold/service-templates.ts';

/** `micro-dev init`: a topology and a sample service in the current folder (or beside -c FILE). */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('init', args, {});
  if (positionals.length > 0) throw new MicroDevError('BAD_ARGUMENTS', `init: unexpected argument "${positionals[0]}"`);
  // Here, not the nearest parent's micro.dev.yaml: init starts a project in the current folder.
  const here = path.resolve('micro.dev.yaml');
  const configFile = typeof values.config === 'string' ? path.resolve(values.config) : here;
  const written = await initProject(configFile);
  const shown = written.map((w) => path.relative(process.cwd(), w.file) || w.file);
  const width = Math.max(...shown.map((s) => s.length));
  const lines = ['micro-dev init wrote:', ...written.map((w, i) => `  ${shown[i]!.padEnd(width)}  ${w.what}`), '', 'Next:'];
  if (!resolvesKit(path.dirname(configFile))) {
    lines.push('  npm i -D micro-dev-orchestrator    the sample service imports micro-dev-orchestrator/kit');
  }
  const c = configFile === here ? '' : ` -c ${shown[0]}`;
  lines.push(
    `  npx micro-dev up${c}    start everything (Ctrl-C stops it all; a save reloads its service)`,
    `  curl 'http://127.0.0.1:8080/${SAMPLE}/say/hello?name=John'`,
    `  npx micro-dev call${c} ${registeredName(SAMPLE)} Greeter.Hello '{"name":"John"}'`,
    `  npx micro-dev new service NAME --lang ts|go|python    another service, added to ${shown[0]}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
  return 0;
}

/** Whether `micro-dev-orchestrator/kit` resolves from the project folder (the package is installed there). */
function resolvesKit(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'package.json')).resolve('micro-dev-orchestrator/package.json');
    return true;
  } catch {
    return false;
  }
}
