/**
 * The orchestrator's Clock is the kit's: services/kit must not depend on runner/, so the one definition
 * (Clock, SystemClock, ManualClock, ScaledClock) lives in `services/kit/clock.ts` and runner code imports it
 * from here.
 */
export { ManualClock, ScaledClock, SystemClock, type Clock, type Timer } from '../../services/kit/clock.ts';
