/**
 * The meta handler's first step (gm@v1.18.0:api/router/registry): match the request against endpoint
 * metadata that services registered (`endpoint`, `handler`, `method`, `path`, `host`; lists joined by `,`).
 * v1 rules: an empty list matches anything, hosts match exactly, paths are unanchored regexes. Where Go
 * takes the first match in map order (random), we take the first in service-name order (deterministic).
 */
import type { ServiceInfo } from '../../services/kit/types.ts';

export interface EndpointMatch {
  service: string;
  endpoint: string;
  handler: string;
}

function list(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

const regexCache = new Map<string, RegExp | null>();
function pathMatches(pattern: string, path: string): boolean {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern);
    } catch {
      re = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re !== null && re.test(path);
}

export function matchEndpoint(
  services: readonly ServiceInfo[],
  req: { method: string; host: string; path: string },
): EndpointMatch | undefined {
  for (const svc of services) {
    for (const ep of svc.endpoints ?? []) {
      const md = ep.metadata ?? {};
      if (!md.endpoint || !md.handler) continue;
      const methods = list(md.method);
      if (methods.length > 0 && !methods.includes(req.method)) continue;
      const hosts = list(md.host);
      if (hosts.length > 0 && !hosts.includes(req.host)) continue;
      const paths = list(md.path);
      if (paths.length > 0 && !paths.some((p) => pathMatches(p, req.path))) continue;
      return { service: svc.name, endpoint: md.endpoint, handler: md.handler };
    }
  }
  return undefined;
}
