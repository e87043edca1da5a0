import type { OrchestratorApi } from '../engine/api.ts';

export interface RunDashboardOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Default: the NO_COLOR environment variable is set and not empty (no-color.org). */
  noColor?: boolean;
  /**
   * What quitting means. 'shutdown' (micro-dev up: the dashboard owns the engine) sends
   * api.command({type:'shutdown'}) after the dashboard is gone; 'detach' (micro-dev ui) just leaves.
   * Default 'detach'.
   */
  quitCommand?: 'shutdown' | 'detach';
  /** Offered by `c`; empty or absent = a text prompt for the name. */
  scenarios?: string[];
  /** Called once the dashboard has closed (after the shutdown command resolved, if one was sent). */
  onQuit?: () => void;
  /** Closes the dashboard from outside (e.g. SIGTERM), like q but without sending shutdown. */
  signal?: AbortSignal;
  /** Use the terminal's alternate screen so quitting restores what was there. Default: stdout is a TTY. */
  alternateScreen?: boolean;
}

/**
 * Loaded with a temporary environment, put back afterwards (instances inherit it and must not see a change):
 * - React picks its development or production build from NODE_ENV when first loaded; the development build
 *   costs several times the CPU per frame, so NODE_ENV=production unless the user set it.
 * - ink decides once, at import, whether it runs in CI (CI / CONTINUOUS_INTEGRATION set) and then renders
 *   only the last frame. The dashboard is only ever opened on a real terminal, where that is never wanted.
 */
async function loadUi() {
  const saved = { NODE_ENV: process.env.NODE_ENV, CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
  process.env.NODE_ENV ??= 'production';
  if (saved.CI !== undefined) process.env.CI = 'false';
  if (saved.CONTINUOUS_INTEGRATION !== undefined) process.env.CONTINUOUS_INTEGRATION = 'false';
  try {
    const [ink, react, dashboard] = await Promise.all([import('ink'), import('react'), import('./dashboard.ts')]);
    return { render: ink.render, createElement: react.default.createElement, Dashboard: dashboard.Dashboard };
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';

/**
 * Shows the dashboard until the user quits (q / Ctrl-C), the engine reports shutdown, or `signal` aborts.
 * Resolves after the terminal is restored (raw mode off, alternate screen left) and, with
 * quitCommand 'shutdown' and a user quit, after api.command({type:'shutdown'}) settled. Never exits the
 * process. Rejects if rendering failed (the terminal is restored first) or the shutdown command rejects.
 * If the process exits while the dashboard is up, an 'exit' listener still leaves the alternate screen.
 */
export async function runDashboard(api: OrchestratorApi, options: RunDashboardOptions = {}): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const noColor = options.noColor ?? Boolean(process.env.NO_COLOR);
  const alt = options.alternateScreen ?? Boolean(stdout.isTTY);
  if (options.signal?.aborted) return;
  const { render, createElement, Dashboard } = await loadUi();
  if (options.signal?.aborted) return;

  let reason: 'quit' | 'engine' | 'signal' | 'error' | undefined;
  let failure: unknown;
  let finish!: () => void;
  const closed = new Promise<void>((resolve) => (finish = resolve));
  const close = (why: 'quit' | 'engine' | 'signal' | 'error') => {
    if (reason) return;
    reason = why;
    finish();
  };
  const onAbort = () => close('signal');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  // Someone calling process.exit() with the dashboard up must not leave the user on a blank screen.
  const onExit = () => {
    if (alt) stdout.write(LEAVE_ALT);
  };
  if (alt) {
    stdout.write(ENTER_ALT);
    process.once('exit', onExit);
  }
  const app = render(
    createElement(Dashboard, {
      api,
      scenarios: options.scenarios ?? [],
      noColor,
      onQuit: () => close('quit'),
      onShutdown: () => close('engine'),
    }),
    { stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 10 },
  );
  // A render error unmounts the app on its own (ink's error boundary): close with that error.
  app.waitUntilExit().then(
    () => close('engine'),
    (e: unknown) => {
      failure = e;
      close('error');
    },
  );
  try {
    await closed;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    app.unmount();
    await app.waitUntilExit().catch(() => undefined);
    app.cleanup();
    if (alt) {
      process.off('exit', onExit);
      stdout.write(LEAVE_ALT);
    }
  }
  if (reason === 'error') throw failure;
  if (reason === 'quit' && options.quitCommand === 'shutdown') await api.command({ type: 'shutdown' });
  options.onQuit?.();
}
