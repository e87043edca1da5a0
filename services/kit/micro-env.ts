/**
 * The MICRO_* environment a go-micro service reads at start (AGENTS.md "Instances learn their surroundings").
 * Pure: takes the env, returns plain data or throws a RangeError naming the bad variable.
 */
import { randomUUID } from 'node:crypto';
import { parseDuration } from './duration.ts';
import { parseSocketMap } from './unix-socket.ts';

export interface MicroEnv {
  /** host:port to bind (MICRO_SERVER_ADDRESS, default 127.0.0.1:0; Go's `:8080` form binds 127.0.0.1:8080). */
  serverAddress: string;
  /** uuid part of the node id (MICRO_SERVER_ID, generated when unset). */
  serverId: string;
  /** host:port to register instead of the bound one (MICRO_SERVER_ADVERTISE). */
  advertise?: string;
  registry: string;
  /** host:port of the registry; with MICRO_REGISTRY=etcd every member, comma separated (go-micro's Addrs). */
  registryAddress: string;
  /** ACL token for the registry (MICRO_REGISTRY_TOKEN), sent as X-Consul-Token. */
  registryToken?: string;
  registerTtlMs: number;
  registerIntervalMs: number;
  proxyAddress?: string;
  brokerAddress?: string;
  /** MICRO_CLIENT_REQUEST_TIMEOUT / MICRO_CLIENT_RETRIES, go-micro's client flags. */
  clientTimeoutMs: number;
  clientRetries: number;
  /** MICRO_SERVER_VERSION (go-micro's --server_version): the registered version when the code sets none. */
  serverVersion?: string;
  /** MICRO_SERVER_METADATA (go-micro's --server_metadata): `k=v` pairs, comma separated (e.g. weight=10). */
  serverMetadata: Record<string, string>;
  /** A Unix socket the server also listens on (MICRO_DEV_SERVER_SOCKET, set by micro-dev on Linux; unix-socket.ts). */
  serverSocket?: string;
  /** host:port -> the Unix socket it is also reachable at (MICRO_DEV_SOCKETS: micro-dev's links on Linux). */
  sockets: Map<string, string>;
}

export function readMicroEnv(env: Record<string, string | undefined> = process.env): MicroEnv {
  const dur = (name: string, fallbackMs: number) => {
    const v = env[name];
    return v ? parseDuration(v, name) : fallbackMs;
  };
  let serverAddress = env.MICRO_SERVER_ADDRESS || '127.0.0.1:0';
  // Go's `:8080` binds every interface; stay on loopback (micro-dev never listens elsewhere).
  if (serverAddress.startsWith(':')) serverAddress = '127.0.0.1' + serverAddress;
  const retries = Number(env.MICRO_CLIENT_RETRIES ?? '1');
  if (!Number.isInteger(retries) || retries < 0) throw new RangeError(`MICRO_CLIENT_RETRIES: "${env.MICRO_CLIENT_RETRIES}" is not an integer >= 0`);
  const registry = env.MICRO_REGISTRY || 'consul';
  const addresses = (env.MICRO_REGISTRY_ADDRESS || '127.0.0.1:8500').split(',').map((a) => a.trim().replace(/^https?:\/\//, ''));
  return {
    serverAddress,
    serverId: env.MICRO_SERVER_ID || randomUUID(),
    advertise: env.MICRO_SERVER_ADVERTISE || undefined,
    registry,
    registryAddress: registry === 'etcd' ? addresses.join(',') : addresses[0]!,
    registryToken: env.MICRO_REGISTRY_TOKEN || undefined,
    registerTtlMs: dur('MICRO_REGISTER_TTL', 60_000),
    registerIntervalMs: dur('MICRO_REGISTER_INTERVAL', 30_000),
    proxyAddress: env.MICRO_PROXY_ADDRESS || undefined,
    brokerAddress: env.MICRO_BROKER_ADDRESS || undefined,
    clientTimeoutMs: dur('MICRO_CLIENT_REQUEST_TIMEOUT', 5_000),
    clientRetries: retries,
    serverVersion: env.MICRO_SERVER_VERSION || undefined,
    serverMetadata: pairs(env.MICRO_SERVER_METADATA),
    serverSocket: env.MICRO_DEV_SERVER_SOCKET || undefined,
    sockets: parseSocketMap(env.MICRO_DEV_SOCKETS),
  };
}

function pairs(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new RangeError(`MICRO_SERVER_METADATA: "${part}" is not key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
