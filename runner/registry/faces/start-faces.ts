/**
 * Starts the wire faces a registry config asks for (`registry.eureka.serve`, `registry.nacos.serve`), each
 * on its own port, over the registry's one catalog. Resolves once every face listens; a face that cannot
 * listen closes the ones already started and rejects with PORT_IN_USE / START_FAILED naming the face.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../clock/clock.ts';
import type { RegistryConfig } from '../../config/topology.ts';
import { ErrorCodes, MicroDevError } from '../../errors/micro-dev-error.ts';
import { EurekaFace } from '../eureka/eureka-face.ts';
import { createEurekaHttpServer } from '../eureka/eureka-http-server.ts';
import { NacosFace } from '../nacos/nacos-face.ts';
import { createNacosHttpServer } from '../nacos/nacos-http-server.ts';
import type { RegistryCore } from '../registry-core.ts';

export interface StartedFaces {
  /** "http://HOST:PORT/eureka/" when the Eureka face runs. */
  eurekaUrl?: string;
  eureka?: EurekaFace;
  /** "http://HOST:PORT" when the Nacos face runs. */
  nacosUrl?: string;
  nacos?: NacosFace;
  stop(): Promise<void>;
}

export async function startFaces(core: RegistryCore, leaseClock: Clock, cfg: Pick<RegistryConfig, 'eureka' | 'nacos' | 'timeScale'>, host: string): Promise<StartedFaces> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s();
  };
  const out: StartedFaces = { stop: stopAll };
  try {
    if (cfg.eureka?.serve) {
      const face = new EurekaFace(core, leaseClock, { doubleExpiryQuirk: cfg.eureka.doubleExpiryQuirk, selfPreservation: cfg.eureka.selfPreservation });
      const server = createEurekaHttpServer(face);
      stops.push(async () => face.stop());
      const port = await listen(server, cfg.eureka.port ?? 8761, host, 'registry.eureka.port', 'Eureka face');
      stops.push(() => close(server));
      out.eureka = face;
      out.eurekaUrl = `http://${host}:${port}/eureka/`;
    }
    if (cfg.nacos?.serve) {
      const face = new NacosFace(core, { protectThreshold: cfg.nacos.protectThreshold, timeScale: cfg.timeScale });
      const server = createNacosHttpServer(face, { adminApi: cfg.nacos.adminApi ?? true });
      stops.push(async () => face.stop());
      const port = await listen(server, cfg.nacos.port ?? 8848, host, 'registry.nacos.port', 'Nacos face');
      stops.push(() => close(server));
      out.nacos = face;
      out.nacosUrl = `http://${host}:${port}`;
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  return out;
}

export function listen(server: Server, port: number, host: string, key: string, what: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        reject(
          new MicroDevError(ErrorCodes.PORT_IN_USE, `port ${port} (${what}) on ${host} is already in use`, {
            cause: e,
            hints: [`set ${key} in micro.dev.yaml to a free port, or 0 to pick one`],
          }),
        );
      } else {
        reject(new MicroDevError(ErrorCodes.START_FAILED, `${what} could not listen on ${host}:${port}: ${e.message}`, { cause: e }));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
