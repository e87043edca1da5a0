import { ManualClock } from '../../clock/clock.ts';
import type { RegistryConfig } from '../../config/topology.ts';
import { decodeServiceDefinition } from '../decode-service-definition.ts';
import { RegistryCore } from '../registry-core.ts';
import type { RegistryEvent } from '../registry-types.ts';
import { createLeaseModel } from './create-lease-model.ts';
import type { LeaseModelFactory } from '../registry-core.ts';

/** A RegistryCore on a ManualClock for lease-model unit tests (no HTTP). Call stop() when done. */
export function testCore(config: Partial<RegistryConfig> = {}, factory?: LeaseModelFactory) {
  const clock = new ManualClock(0);
  const cfg = {
    semantics: 'consul' as const,
    profile: 'modern' as const,
    timeScale: 1,
    eureka: { doubleExpiryQuirk: true, selfPreservation: true },
    nacos: { protectThreshold: 0 },
    ...config,
  };
  const core = new RegistryCore({ config: cfg, leaseClock: clock, wallClock: clock, leaseModel: factory ?? createLeaseModel(cfg) });
  const events: RegistryEvent[] = [];
  core.subscribe((e) => events.push(e));
  const register = (body: unknown, replace = false) =>
    core.register(decodeServiceDefinition(JSON.stringify(body), { profile: cfg.profile, semantics: cfg.semantics }), replace);
  const statusOf = (checkId: string) => core.store.getCheck(checkId)?.status;
  const exists = (serviceId: string) => core.store.getService(serviceId) !== undefined;
  return { clock, core, events, register, statusOf, exists, stop: () => core.stop() };
}
