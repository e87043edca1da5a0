/** `host:port` helpers (IPv6 hosts are bracketed: `[::1]:8080`). */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (!m) throw new RangeError(`address "${address}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The host to register for a server bound to `host`, as go-micro's `util/addr.Extract` picks it: a
 * concrete host as is; for a wildcard (0.0.0.0, ::, empty) the first private IPv4 of this machine's
 * interfaces (10/8, 172.16/12, 192.168/16, 100.64/10), else the first non-loopback IPv4, else 127.0.0.1.
 * So a service in a container (Compose, Kubernetes) registers an address its peers can dial.
 */
export function advertiseHost(host: string, interfaces: NodeJS.Dict<Array<{ family: string; address: string; internal: boolean }>>): string {
  if (host !== '' && host !== '0.0.0.0' && host !== '::') return host;
  const ipv4 = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  return ipv4.find(isPrivateIpv4) ?? ipv4[0] ?? '127.0.0.1';
}

function isPrivateIpv4(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
}
