/**
 * Environment translation for a container. The engine writes MICRO_* addresses as the host sees them
 * (127.0.0.1:<port>); inside a container 127.0.0.1 is the container itself. So:
 *
 *   MICRO_REGISTRY_ADDRESS=127.0.0.1:8500  ->  172.30.7.1:8500   (the topology network's gateway, where a
 *   MICRO_PROXY_ADDRESS=localhost:9001     ->  172.30.7.1:9001    HostRelay forwards to 127.0.0.1:<port>)
 *   MICRO_SERVER_ADDRESS=127.0.0.1:4100    ->  0.0.0.0:4100       (published on 127.0.0.1:4100 of the host)
 *   MICRO_SERVER_ADVERTISE                 ->  127.0.0.1:4100 (reach: published) | <container ip>:4100 (network)
 *
 * Every loopback host:port in any value is rewritten (lists like `a,b` and URLs included), except the two
 * server variables. An http(s) URL on loopback without a port stands for its scheme's port (80, 443):
 *
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318  ->  http://172.30.7.1:4318  (telemetry.otlp_endpoint:
 *   OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost       ->  http://172.30.7.1:80     a collector on the host)
 *
 * Pure functions; the runtime supplies the relay ports.
 */

const LOOPBACK = /\b(?:127\.0\.0\.1|localhost|0\.0\.0\.0)(?::(\d{1,5}))\b|\[::1\]:(\d{1,5})\b|\b(https?):\/\/(?:127\.0\.0\.1|localhost|\[::1\])(?=[/?#]|$|[,\s])/g;
const SCHEME_PORT: Record<string, number> = { http: 80, https: 443 };
const SERVER_KEYS = new Set(['MICRO_SERVER_ADDRESS', 'MICRO_SERVER_ADVERTISE']);

/** The host port a LOOPBACK match points at. */
function matchPort(m: readonly (string | undefined)[]): number {
  return m[3] !== undefined ? SCHEME_PORT[m[3]]! : Number(m[1] ?? m[2]);
}

/** Host ports that values point at on loopback (server variables excluded), deduplicated. */
export function loopbackPorts(env: Record<string, string>): number[] {
  const ports = new Set<number>();
  for (const [key, value] of Object.entries(env)) {
    if (SERVER_KEYS.has(key)) continue;
    for (const m of value.matchAll(LOOPBACK)) {
      const port = matchPort(m);
      if (port > 0) ports.add(port);
    }
  }
  return [...ports];
}

/** The port of MICRO_SERVER_ADDRESS (`host:port` or `:port`), undefined when absent or unparsable. */
export function serverPort(env: Record<string, string>): number | undefined {
  const m = /:(\d{1,5})$/.exec(env.MICRO_SERVER_ADDRESS ?? '');
  return m ? Number(m[1]) : undefined;
}

export interface ContainerEnvPlan {
  /** Gateway IP of the topology network as seen from inside the container. */
  gatewayIp: string;
  /** host port -> relay port on gatewayIp. */
  relays: ReadonlyMap<number, number>;
  /** Port the server listens on inside the container (also published on the host), if any. */
  port?: number;
  /** What other parties dial: `127.0.0.1:<port>` or `<container ip>:<port>`. */
  advertise?: string;
}

export function translateEnv(env: Record<string, string>, plan: ContainerEnvPlan): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (SERVER_KEYS.has(key)) continue;
    out[key] = value.replace(LOOPBACK, (whole: string, p4: string | undefined, p6: string | undefined, scheme: string | undefined) => {
      const relay = plan.relays.get(matchPort([whole, p4, p6, scheme]));
      if (relay === undefined) return whole;
      return scheme ? `${scheme}://${plan.gatewayIp}:${relay}` : `${plan.gatewayIp}:${relay}`;
    });
  }
  if (plan.port !== undefined) out.MICRO_SERVER_ADDRESS = `0.0.0.0:${plan.port}`;
  const given = env.MICRO_SERVER_ADVERTISE;
  // An advertise that differs from the server address was put there on purpose (e.g. an ingress link in
  // front of the instance): keep it; otherwise advertise what actually reaches the container.
  if (given && given !== env.MICRO_SERVER_ADDRESS) out.MICRO_SERVER_ADVERTISE = given;
  else if (plan.advertise) out.MICRO_SERVER_ADVERTISE = plan.advertise;
  return out;
}
