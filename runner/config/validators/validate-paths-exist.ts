/**
 * validatePathsExist: files and folders the config names are there: a worker's module, a service's cwd and
 * watch paths, a container's dockerfile and context, the gateway's TLS cert and key. Paths are shown as
 * written, with the absolute path looked at.
 */
import type { ConfigProblem } from '../config-problem.ts';
import type { YamlPath } from '../parse-yaml-with-positions.ts';
import type { ValidationInput } from './validator.ts';

export function validatePathsExist({ topology, raw, parsed, fileExists }: ValidationInput): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (at: YamlPath, owner: string, what: string, written: string | undefined, abs: string | undefined): void => {
    if (written === undefined || abs === undefined || fileExists(abs)) return;
    problems.push(parsed.problemAt(at, `${owner}: ${what} ${written} not found (looked for ${abs})`, 'value'));
  };
  for (const s of topology.services) {
    const r = raw.services?.[s.name] ?? {};
    const base = ['services', s.name];
    if (s.runtime === 'worker') check([...base, 'module'], `services.${s.name}`, 'module', r.module, s.module);
    check([...base, 'cwd'], `services.${s.name}`, 'cwd', r.cwd, s.cwd);
    if (typeof r.watch === 'object' && r.watch.paths) {
      r.watch.paths.forEach((p, i) => check([...base, 'watch', 'paths', i], `services.${s.name}`, 'watch path', p, s.watch?.paths[i]));
    }
    if (s.runtime === 'container') {
      check([...base, 'container', 'dockerfile'], `services.${s.name}`, 'dockerfile', r.container?.dockerfile, s.container?.dockerfile);
      check([...base, 'container', 'context'], `services.${s.name}`, 'build context', r.container?.context, s.container?.context);
    }
  }
  const tls = raw.gateway?.tls;
  if (typeof tls === 'object') {
    check(['gateway', 'tls', 'cert'], 'gateway', 'TLS certificate', tls.cert, topology.gateway.tls?.cert);
    check(['gateway', 'tls', 'key'], 'gateway', 'TLS key', tls.key, topology.gateway.tls?.key);
  }
  return problems;
}
