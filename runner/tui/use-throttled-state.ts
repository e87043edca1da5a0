import { useEffect, useRef, useState } from 'react';
import type { OrchestratorApi } from '../engine/api.ts';
import { DashboardState } from './dashboard-state.ts';

export interface ThrottleOptions {
  /** Minimum milliseconds between two frames caused by engine events (100 = at most 10 fps). */
  frameMs?: number;
  /** A frame at least this often even when idle, so uptime and ages move. */
  tickMs?: number;
  /** Log lines kept in memory. */
  logCapacity?: number;
}

/**
 * Subscribes to the engine and folds every update into one DashboardState without rendering; a frame is
 * scheduled at most every frameMs, only when something changed (plus the idle tick). The listener does
 * O(1) work so the engine is never held up by the terminal. Unsubscribes on unmount.
 */
export function useThrottledState(api: OrchestratorApi, o: ThrottleOptions = {}): DashboardState {
  const frameMs = o.frameMs ?? 100;
  const tickMs = o.tickMs ?? 1000;
  const capacity = o.logCapacity ?? 1000;
  const ref = useRef<DashboardState | undefined>(undefined);
  if (!ref.current) ref.current = new DashboardState(api.snapshot(), api.logs(undefined, capacity), capacity);
  const [, setFrame] = useState(0);

  useEffect(() => {
    const state = ref.current!;
    let timer: NodeJS.Timeout | undefined;
    let lastFrame = 0;
    let renderedVersion = state.version;
    const flush = () => {
      timer = undefined;
      lastFrame = Date.now();
      renderedVersion = state.version;
      setFrame((n) => n + 1);
    };
    const schedule = () => {
      if (timer) return;
      timer = setTimeout(flush, Math.max(0, frameMs - (Date.now() - lastFrame)));
    };
    const unsubscribe = api.subscribe((update) => {
      state.apply(update);
      if (state.version !== renderedVersion) schedule();
    });
    // Only when nothing else drew lately: a ticking engine already gives us frames.
    const tick = setInterval(() => {
      if (!timer && Date.now() - lastFrame >= tickMs / 2) flush();
    }, tickMs);
    return () => {
      unsubscribe();
      clearInterval(tick);
      if (timer) clearTimeout(timer);
    };
  }, [api, frameMs, tickMs]);

  return ref.current;
}
