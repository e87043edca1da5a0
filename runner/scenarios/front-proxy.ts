/**
 * startFrontProxy: the single reverse proxy of the nginx-spof story, a real nginx when asked for (or, with
 * `auto`, when one is installed), else the built-in StaticProxy. Both take a fixed upstream list once.
 * The caller owns it: close() stops it and removes what it left on disk.
 */
import { MicroDevError } from '../errors/micro-dev-error.ts';
import { findNginx, NginxProxy } from './nginx-proxy.ts';
import { StaticProxy } from './static-proxy.ts';

export type FrontProxy = StaticProxy | NginxProxy;

export async function startFrontProxy(engine: 'auto' | 'nginx' | 'builtin', upstreams: readonly string[]): Promise<FrontProxy> {
  const nginx = engine === 'builtin' ? undefined : findNginx();
  if (engine === 'nginx' && !nginx) {
    throw new MicroDevError('START_FAILED', 'static_proxy.engine is nginx but no nginx binary was found on PATH or in /usr/sbin', {
      hints: ['install it (apt-get install -y nginx) or use engine: auto / builtin'],
    });
  }
  const proxy = nginx ? new NginxProxy(nginx, upstreams) : new StaticProxy(upstreams);
  await proxy.start();
  return proxy;
}
