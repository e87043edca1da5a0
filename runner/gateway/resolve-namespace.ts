/**
 * Namespace of the api gateway and how a resolved name is put into it (go-micro v1 `setNamespace`).
 *
 * Precedence (pinned in resolve-namespace.test.ts, see README "Choices"):
 *   1. the config value (`--namespace` / `gateway.namespace` in micro.dev.yaml) when it is not the default;
 *   2. `MICRO_API_NAMESPACE` (what micro's code reads), verbatim;
 *   3. `MICRO_NAMESPACE` (what the micro v2 docs name), joined with the type as v2 does: `com.example.api`
 *      stays, `go.micro` becomes `go.micro.api` (so the global-flag meaning of that variable also works);
 *   4. the config value, else `go.micro.api`.
 * A blank value (`' '`) means "no namespace", as the v1 hack in the docs does.
 */
export const DEFAULT_API_NAMESPACE = 'go.micro.api';

export function resolveNamespace(
  config: { namespace?: string | undefined },
  env: Record<string, string | undefined> = process.env,
): string {
  const fromConfig = config.namespace;
  if (fromConfig !== undefined && fromConfig !== '' && fromConfig !== DEFAULT_API_NAMESPACE) return fromConfig.trim();
  const apiNs = env.MICRO_API_NAMESPACE;
  if (apiNs !== undefined && apiNs !== '') return apiNs.trim();
  const ns = env.MICRO_NAMESPACE;
  if (ns !== undefined && ns !== '') {
    const t = ns.trim();
    return t === '' || t === 'api' || t.endsWith('.api') ? t : `${t}.api`;
  }
  return DEFAULT_API_NAMESPACE;
}

/** go-micro v1 `setNamespace(ns, name)`: both trimmed; `-` suffix dashes the name; `.` suffix concatenates. */
export function setNamespace(ns: string, name: string): string {
  const n = ns.trim();
  const v = name.trim();
  if (n === '') return v;
  if (n.endsWith('-')) return (n + v).replaceAll('.', '-');
  if (n.endsWith('.')) return n + v;
  return `${n}.${v}`;
}
