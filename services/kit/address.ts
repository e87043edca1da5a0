/** `host:port` helpers (IPv6 hosts are bracketed: `[::1]:8080`). */
export function splitHostPort(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:]*):(\d+)$/.exec(address);
  if (!m) throw new RangeError(`address "${address}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
