/**
 * startGateway: `micro api` on config.host:config.port.
 *
 *   client ──HTTP(S)──> gateway-router (edges, resolvers, handlers) ──mucp/HTTP──> service nodes
 *                              │ lookups, node choice: kit-backend (NodeCache + Selector + Client)
 *
 * Resolves once listening; stop() closes the listener, every connection and the registry watches.
 * Slow clients cannot hold a connection: headers must arrive within 10 s, a whole request within 60 s,
 * idle keep-alive connections close after 5 s.
 */
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { GatewayConfig } from '../config/topology.ts';
import type { Tracing } from '../traces/tracing.ts';
import { createGatewayRouter, type RequestRecord } from './gateway-router.ts';
import { hostAllowed } from './host-allowlist.ts';
import { createKitBackend, type KitBackendOptions } from './kit-backend.ts';
import { VersionRoutes } from './version-routes.ts';
import { serve, type StartedServer } from './started-server.ts';
import type { RegistryKind } from '../../services/kit/kit-registry.ts';
import { loadTlsCredentials, type TlsSettings } from './tls-credentials.ts';
import { onClientError, SERVER_TIMEOUTS, serverTimeoutOptions } from './server-timeouts.ts';

export interface GatewayDeps {
  registryAddress: string;
  registryKind?: RegistryKind;
  brokerAddress?: string;
  /** Called once per finished response (request log, traffic stats). Must not throw or block. */
  onRequest?: (r: RequestRecord) => void;
  /** Where `tls: auto` keeps its CA and certificate (default `<cwd>/.micro-dev`). */
  stateDir?: string;
  /** Overrides of SERVER_TIMEOUTS (ms), e.g. for tests of slow clients. */
  serverTimeouts?: Partial<typeof SERVER_TIMEOUTS>;
  /** Spans for every request (micro-api) and its calls; none when tracing is off. */
  tracing?: Tracing;
  /** Dials nodes in process where it can (FaultPlane.openLocal); TCP otherwise. */
  connect?: KitBackendOptions['connect'];
  /** Live version routes; default: built from `config.versions` (fixed for the gateway's life). */
  versions?: VersionRoutes;
}

export async function startGateway(config: GatewayConfig, deps: GatewayDeps): Promise<StartedServer> {
  const tlsSettings = config.tls as TlsSettings | undefined;
  const creds = await loadTlsCredentials(tlsSettings, { stateDir: deps.stateDir ?? join(process.cwd(), '.micro-dev'), hosts: config.hosts });
  const backend = createKitBackend({
    registryAddress: deps.registryAddress,
    ...(deps.connect ? { connect: deps.connect } : {}),
    ...(deps.registryKind ? { registryKind: deps.registryKind } : {}),
    ...(deps.brokerAddress ? { brokerAddress: deps.brokerAddress } : {}),
    balance: config.balance,
    ejectMs: config.ejectMs,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    ...(deps.tracing ? { tracer: deps.tracing.callTracer('micro-api') } : {}),
    versions: deps.versions ?? new VersionRoutes(config.versions),
  });
  const router = createGatewayRouter(config, backend, deps.onRequest, deps.tracing?.tracer('micro-api'));
  const options = serverTimeoutOptions(deps.serverTimeouts);
  let server: http.Server;
  if (creds) {
    let ctx: SecureContext | undefined;
    server = https.createServer(
      {
        ...options,
        cert: creds.cert,
        key: creds.key,
        // With a hosts allowlist, certificates are served only for those names (other SNI: handshake fails).
        SNICallback: (servername, cb) => {
          if (config.hosts.length > 0 && servername && !hostAllowed(config.hosts, servername)) {
            cb(new Error(`TLS server name ${servername} is not in the gateway's hosts allowlist`));
            return;
          }
          ctx ??= createSecureContext({ cert: creds.cert, key: creds.key });
          cb(null, ctx);
        },
      },
      router.handle,
    );
  } else {
    server = http.createServer(options, router.handle);
  }
  server.on('upgrade', router.upgrade);
  server.on('clientError', onClientError);
  return serve(server, { host: config.host, port: config.port, label: 'gateway', scheme: creds ? 'https' : 'http' }, () => backend.close());
}
