/**
 * Topic and event name for the event handler (`evRoute` in gm@v1.18.0:api/handler/event/event.go).
 * We follow the code, not the docs: `/user` gives name "" and `/v1/foo/bar` gives `foo.bar` (README).
 */
import { goPathClean } from './go-path.ts';

const versionRe = /^v[0-9]+$/;

export function eventRoute(namespace: string, p: string): { topic: string; name: string } {
  const cleaned = goPathClean(p).replace(/^\//, '');
  if (cleaned === '' || cleaned === '.') return { topic: namespace, name: 'event' };
  const parts = cleaned.split('/');
  if (parts.length >= 2 && versionRe.test(parts[0] ?? '')) {
    return { topic: `${namespace}.${parts.slice(0, 2).join('.')}`, name: parts.slice(1).join('.') };
  }
  return { topic: `${namespace}.${parts[0]}`, name: parts.slice(1).join('.') };
}
