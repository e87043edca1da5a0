// THE SIGKILL TEST: when micro-dev itself is SIGKILLed (no chance to clean up), no process it started may
// survive: not the guard, not the command, not the command's own children.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Stat {
  pid: number;
  state: string;
  ppid: number;
}

function processes(): Stat[] {
  const all: Stat[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
      all.push({ pid: Number(name), state, ppid: Number(ppid) });
    } catch {
      // gone while scanning
    }
  }
  return all;
}

function descendantsOf(root: number): number[] {
  const all = processes();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of all) {
      if (p.ppid === parent) {
        found.push(p.pid);
        queue.push(p.pid);
      }
    }
  }
  return found;
}

/** Zombies are dead: they only wait for a reaper that this sandbox's PID 1 may never be. */
function alive(pids: number[]): number[] {
  const live = new Set(processes().filter((p) => p.state !== 'Z' && p.state !== 'X').map((p) => p.pid));
  return pids.filter((pid) => live.has(pid));
}

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (let delay = 10; ; delay = Math.min(delay * 2, 100)) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not true after ${ms}ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

describe('process instances when micro-dev is SIGKILLed', () => {
  it('leave no descendant alive: guard, command and grandchild all go', async () => {
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/parent-holder.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    holder.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const pids = await until('holder reported its instance pids', 15_000, () => {
        const line = out.split('\n').find((l) => l.startsWith('{'));
        return line ? (JSON.parse(line) as { holder: number; command: number; grandchild: number }) : undefined;
      });
      const tree = descendantsOf(pids.holder);
      expect(tree).toContain(pids.command);
      expect(tree).toContain(pids.grandchild);
      expect(tree.length).toBeGreaterThanOrEqual(3); // guard + command + grandchild

      holder.kill('SIGKILL');
      await until('every descendant of the SIGKILLed holder is gone', 5000, () =>
        alive(tree).length === 0 ? true : undefined,
      ).catch((e: Error) => {
        throw new Error(`${e.message}; still alive: ${alive(tree).join(', ')}`);
      });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
