/** Polls `check` until it returns a truthy value or throws after timeoutMs with `what` in the message. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = check();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const Keys = {
  up: '\x1b[A',
  down: '\x1b[B',
  tab: '\t',
  enter: '\r',
  escape: '\x1b',
  backspace: '\x7f',
  ctrlC: '\x03',
};

// eslint-disable-next-line no-control-regex
export const AnsiPattern = /\x1b\[[0-9;?]*[ -/]*[@-~]/;
