import type { AddressInfo } from 'node:net';
import { SystemClock, ScaledClock, type Clock } from '../clock/clock.ts';
import type { RegistryConfig } from '../config/topology.ts';
import { ErrorCodes, MicroDevError } from '../errors/micro-dev-error.ts';
import { CheckRunner } from './check-runner.ts';
import { addAgentRoutes } from './http/agent-routes.ts';
import { addCatalogRoutes } from './http/catalog-routes.ts';
import { addKvRoutes } from './http/kv-routes.ts';
import { createRegistryHttpServer } from './http/registry-http-server.ts';
import { RouteTable } from './http/route-table.ts';
import { IndexFeed } from './index-feed.ts';
import { KvStore } from './kv-store.ts';
import { createLeaseModel } from './lease/create-lease-model.ts';
import { startFaces, type StartedFaces } from './faces/start-faces.ts';
import { RegistryCore } from './registry-core.ts';
import { RegistryPersistence } from './registry-persistence.ts';
import { addSessionRoutes } from './http/session-routes.ts';
import { hostname } from 'node:os';
import { agentNode } from './http/render.ts';
import { SessionStore } from './session/session-store.ts';
import { UserEventLog } from './event/user-event-log.ts';
import { addEventRoutes } from './http/event-routes.ts';
import { addTxnRoutes } from './http/txn-routes.ts';
import { addAgentNodeRoutes } from './http/agent-node-routes.ts';
import type { RegistryEvent, RegistryStatus } from './registry-types.ts';
import type { EurekaFace } from './eureka/eureka-face.ts';

export type { RegistryEvent, RegistryStatus } from './registry-types.ts';

/**
 * A running embedded registry. stop() closes the server, every lease/probe timer and every parked blocking
 * query; it is idempotent. The caller that started it owns stopping it.
 */
export interface StartedRegistry {
  /** "127.0.0.1:PORT" (the actual port when config.port is 0). */
  readonly address: string;
  /** "http://127.0.0.1:PORT" */
  readonly url: string;
  /** "http://HOST:PORT/eureka/" when `eureka.serve` is on (the Eureka REST face over the same catalog). */
  readonly eurekaUrl?: string;
  /** "http://HOST:PORT" when `nacos.serve` is on (the Nacos naming v1 face; its API is under /nacos/v1/ns/). */
  readonly nacosUrl?: string;
  /** The catalog and lease core (Eureka peers replicate its writes: peers/). */
  readonly core: RegistryCore;
  /** The Eureka face, when it runs. */
  readonly eurekaFace?: EurekaFace;
  /** Live events (synchronous, in order); returns the unsubscribe function. */
  subscribe(listener: (e: RegistryEvent) => void): () => void;
  /** The lease model's live state (model-time milliseconds). */
  status(): RegistryStatus;
  /** Sets a registered instance's selector weight until it deregisters (RegistryCore.setWeight). */
  setWeight(serviceId: string, weight: number): void;
  stop(): Promise<void>;
}

export const DEFAULT_REGISTRY_CONFIG: Omit<RegistryConfig, 'host' | 'port'> = {
  kind: 'embedded',
  nodes: 1,
  mode: 'process',
  semantics: 'consul',
  timeScale: 1,
  profile: 'modern',
  eureka: { doubleExpiryQuirk: true, selfPreservation: true },
  nacos: { protectThreshold: 0 },
};

const VERSIONS = { modern: '1.17.0', legacy: '1.4.0' } as const;

/**
 * Starts the embedded Consul-compatible registry; resolves once listening. `options.clock` is the wall
 * clock (tests pass a ManualClock); lease timers run on it scaled by `timeScale`, blocking-query waits
 * run on it unscaled. Rejects with MicroDevError PORT_IN_USE when the port is taken.
 */
export async function startRegistry(
  config: Pick<RegistryConfig, 'host' | 'port'> & Partial<RegistryConfig>,
  options: { clock?: Clock; onWarning?: (message: string) => void } = {},
): Promise<StartedRegistry> {
  const cfg: RegistryConfig = { ...DEFAULT_REGISTRY_CONFIG, ...config } as RegistryConfig;
  const host = cfg.host || '127.0.0.1';
  if (!(cfg.timeScale > 0) || !Number.isFinite(cfg.timeScale)) {
    throw new MicroDevError(ErrorCodes.CONFIG_INVALID, `registry.timeScale must be a number > 0 (1 = real time), got ${cfg.timeScale}`);
  }
  const wallClock = options.clock ?? new SystemClock();
  const leaseClock = cfg.timeScale === 1 ? wallClock : new ScaledClock(wallClock, cfg.timeScale);
  const feed = new IndexFeed();
  const core = new RegistryCore({
    config: cfg,
    leaseClock,
    wallClock,
    leaseModel: createLeaseModel(cfg),
    feed,
    node: agentNode(cfg.node ?? hostname(), cfg.datacenter ?? 'dc1'),
  });
  const kv = new KvStore(feed);
  const nodeName = () => core.node.name;
  const sessions = new SessionStore({
    feed,
    kv,
    clock: leaseClock,
    nodeName,
    checkStatus: (id) => (id === 'serfHealth' ? 'passing' : core.store.getCheck(id)?.status),
    emit: (e) => core.emit(e),
    wallNow: () => wallClock.now(),
  });
  // A session bound to a check ends when the check turns critical or goes away (as Consul's catalog does).
  core.subscribe((e) => {
    if (e.type === 'critical') sessions.checkFailed(e.checkId);
  });
  core.onChecks({ registered: () => {}, removed: (checks) => checks.forEach((c) => sessions.checkFailed(c.checkId)) });
  const probes = new CheckRunner(core, leaseClock);
  const persistence = cfg.persist
    ? new RegistryPersistence(cfg.persist, { core, kv, sessions }, { onWarning: options.onWarning ?? ((m) => process.stderr.write(`micro-dev: warning: ${m}\n`)) })
    : undefined;
  const stopStores = () => {
    probes.stop();
    sessions.stop();
    core.stop();
  };
  try {
    await persistence?.load();
  } catch (e) {
    stopStores();
    throw e;
  }
  let address = '';

  const table = new RouteTable();
  addAgentRoutes(table, core, { version: VERSIONS[cfg.profile], address: host });
  addAgentNodeRoutes(table, core, VERSIONS[cfg.profile]);
  addCatalogRoutes(table, core, wallClock, VERSIONS[cfg.profile]);
  addKvRoutes(table, kv, sessions, wallClock);
  addSessionRoutes(table, sessions, nodeName, wallClock);
  const events = new UserEventLog({ nodeName, services: () => core.store.allServices() });
  addEventRoutes(table, events, wallClock);
  addTxnRoutes(table, kv, sessions);
  table.add('/v1/status/leader', { GET: () => ({ json: '127.0.0.1:8300' }) });
  table.add('/v1/status/peers', { GET: () => ({ json: ['127.0.0.1:8300'] }) });
  table.add('/v1/micro-dev/status', { GET: () => ({ json: ({ ...core.status(address), locks: sessions.locks() }), index: feed.index }) });

  // With persist, no answer leaves before the changes it reports are on disk.
  const server = createRegistryHttpServer({ table, token: cfg.token, durable: persistence && (() => persistence.durable()) });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      void persistence?.stop();
      stopStores();
      if (e.code === 'EADDRINUSE') {
        reject(
          new MicroDevError(ErrorCodes.PORT_IN_USE, `port ${cfg.port} (registry) on ${host} is already in use`, {
            cause: e,
            hints: ['set registry.port in micro.dev.yaml to a free port, or 0 to pick one'],
          }),
        );
      } else {
        reject(new MicroDevError(ErrorCodes.START_FAILED, `registry could not listen on ${host}:${cfg.port}: ${e.message}`, { cause: e }));
      }
    };
    server.once('error', onError);
    server.listen(cfg.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  address = `${host}:${port}`;
  let faces: StartedFaces;
  try {
    faces = await startFaces(core, leaseClock, cfg, host);
  } catch (e) {
    void persistence?.stop();
    stopStores();
    feed.close();
    events.changes.close();
    server.close();
    throw e;
  }

  let stopped: Promise<void> | undefined;
  return {
    address,
    url: `http://${address}`,
    ...(faces.eurekaUrl ? { eurekaUrl: faces.eurekaUrl } : {}),
    ...(faces.nacosUrl ? { nacosUrl: faces.nacosUrl } : {}),
    core,
    ...(faces.eureka ? { eurekaFace: faces.eureka } : {}),
    subscribe: (listener) => core.subscribe(listener),
    status: () => ({ ...core.status(address), locks: sessions.locks() }),
    setWeight: (serviceId, weight) => core.setWeight(serviceId, weight),
    stop: () =>
      (stopped ??= (async () => {
        // Stores stop first so no timer changes the state while the last snapshot is written.
        stopStores();
        await persistence?.stop();
        feed.close();
        events.changes.close();
        await Promise.all([
          faces.stop(),
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
        ]);
      })()),
  };
}
