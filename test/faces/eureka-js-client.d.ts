// The parts of eureka-js-client 4.5.0 (untyped on npm) that the face tests drive.
declare module 'eureka-js-client' {
  import type { EventEmitter } from 'node:events';
  export class Eureka extends EventEmitter {
    constructor(config: Record<string, unknown>);
    start(cb?: (err?: Error | null) => void): void;
    stop(cb?: (err?: Error | null) => void): void;
    fetchRegistry(cb?: (err?: Error | null) => void): void;
    getInstancesByAppId(appId: string): Record<string, unknown>[];
    getInstancesByVipAddress(vip: string): Record<string, unknown>[];
    heartbeat?: ReturnType<typeof setInterval>;
    startHeartbeats(): void;
    registryFetch?: ReturnType<typeof setInterval>;
  }
}
