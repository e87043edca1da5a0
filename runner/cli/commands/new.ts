/**
 * micro-dev new service NAME --lang ts|go|python [-c FILE]: a service that registers and answers, written
 * into services/NAME/ and added to micro.dev.yaml; then what to run next.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { readFileSync } from 'node:fs';
import { parseCli, configPath } from '../cli-args.ts';
import { MicroDevError } from '../../errors/micro-dev-error.ts';
import { checkLang, checkName, newServiceInProject } from '../../scaffold/new-service.ts';
import { toolOf } from '../../scaffold/service-templates.ts';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli('new', args, { lang: { type: 'string', short: 'l' } });
  const [what, name, ...extra] = positionals;
  if (what !== 'service') {
    throw new MicroDevError('BAD_ARGUMENTS', `new: expected "service", got ${what ? `"${what}"` : 'nothing'}`, {
      hints: ['micro-dev new service NAME --lang ts|go|python'],
    });
  }
  if (extra.length > 0) throw new MicroDevError('BAD_ARGUMENTS', `new service: one name at a time (got ${[name, ...extra].join(' ')})`);
  const checkedName = checkName(name);
  const lang = checkLang(values.lang);
  const configFile = configPath(values.config);
  const result = await newServiceInProject({ configFile, name: checkedName, lang });

  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const out: string[] = [];
  for (const f of result.files) out.push(`wrote ${rel(f)}`);
  out.push(`added services.${checkedName} to ${rel(configFile)} (registers ${result.registered})`);
  const tool = toolOf(lang);
  if (tool && spawnSync(tool.command, ['--version'], { stdio: 'ignore' }).error) {
    out.push(`note: "${tool.command}" is not on PATH; install it first (Debian/Ubuntu: apt-get install ${tool.debian})`);
  }
  if (lang === 'ts') out.push('note: the service imports micro-dev-orchestrator/kit: npm i -D micro-dev-orchestrator in this project');
  const c = configFile === configPath(undefined) ? '' : ` -c ${rel(configFile)}`;
  const gateway = gatewayUrl(configFile);
  out.push(
    'next:',
    `  npx micro-dev up${c}                       # starts it with the rest; a save reloads it`,
    `  curl '${gateway}/${checkedName}/say/hello?name=John'`,
    `  npx micro-dev call${c} ${result.registered} Greeter.Hello '{"name":"John"}'`,
    `  edit ${rel(path.join(path.dirname(configFile), result.folder))}/ (the contract underneath: docs/writing-a-service.md)`,
  );
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** The gateway's URL from the topology (its port, 8080 by default), for the curl line. */
function gatewayUrl(configFile: string): string {
  try {
    const raw = YAML.parse(readFileSync(configFile, 'utf8')) as { gateway?: { port?: unknown; host?: unknown } } | null;
    const port = typeof raw?.gateway?.port === 'number' ? raw.gateway.port : 8080;
    const host = typeof raw?.gateway?.host === 'string' ? raw.gateway.host : '127.0.0.1';
    return `http://${host}:${port}`;
  } catch {
    return 'http://127.0.0.1:8080';
  }
}
