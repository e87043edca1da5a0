/**
 * The gateway's `hosts` allowlist: with a non-empty list, only requests whose Host (port stripped,
 * case-insensitive) is listed are served; others get 403. An empty list allows every host.
 * `*.example.com` entries match any subdomain.
 */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function hostAllowed(hosts: readonly string[], hostHeader: string | undefined): boolean {
  if (hosts.length === 0) return true;
  if (hostHeader === undefined) return false;
  const name = hostName(hostHeader);
  return hosts.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e.startsWith('*.')) return name.endsWith(e.slice(1)) && name.length > e.length - 1;
    return e === name;
  });
}
