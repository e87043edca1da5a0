/**
 * The kit as a library: what `import { newService } from 'micro-dev-orchestrator/kit'` gives a service of
 * the user's project (the package's `./kit` export; the checkout's own services import the files directly).
 * Depends on nothing under runner/.
 */
export { newService, type Service, type ServiceOptions } from './service.ts';
export type { Handler, HandleOptions, RequestContext } from './server.ts';
export { Client, type CallOptions, type ClientOptions, type RawCallOptions, type RawResponse } from './client.ts';
export { MicroError, isMicroError, type MicroErrorJson } from './errors.ts';
export type { BrokerEvent, SubscriberHandler, Subscription } from './broker.ts';
export { readMicroEnv, type MicroEnv } from './micro-env.ts';
export { LeaderElection, lock, type HeldLock, type LeaderOptions } from './leader.ts';
export { ManualClock, SystemClock, type Clock, type Timer } from './clock.ts';
export type { Endpoint, RegistryNode, ServiceInfo, Value } from './types.ts';
export { traceHeaders, withTraceHeaders, type TraceHeaders } from './trace-context.ts';
export type { AttemptTrace, CallTrace, CallTracer, Selection } from './call-tracer.ts';
