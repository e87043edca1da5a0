import { describe, expect, it } from 'vitest';
import { runDashboard } from '../../runner/tui/run-dashboard.ts';
import { FakeOrchestrator, sampleSnapshot } from './fake-orchestrator.ts';
import { asStreams, FakeTerminalIn, FakeTerminalOut } from './fake-terminal.ts';
import { Keys, waitFor } from './wait-for.ts';

function setup(columns = 100, rows = 30, isTTY = false) {
  const api = new FakeOrchestrator();
  const out = new FakeTerminalOut(columns, rows, isTTY);
  const input = new FakeTerminalIn();
  return { api, out, input, streams: asStreams(out, input) };
}

describe('runDashboard', () => {
  it('q detaches: resolves, sends no command, restores raw mode, unsubscribes, calls onQuit', async () => {
    const { api, out, input, streams } = setup();
    let quit = 0;
    const done = runDashboard(api, { ...streams, noColor: true, quitCommand: 'detach', onQuit: () => quit++ });
    await waitFor(() => out.output.includes('greeter-srv-1'), 'first frame');
    expect(input.rawMode).toBe(true);
    input.press('q');
    await done;
    expect(api.commands).toEqual([]);
    expect(quit).toBe(1);
    expect(input.rawMode).toBe(false);
    expect(api.listenerCount).toBe(0);
  });

  it('Ctrl-C with quitCommand shutdown sends shutdown before resolving', async () => {
    const { api, out, input, streams } = setup();
    const done = runDashboard(api, { ...streams, noColor: true, quitCommand: 'shutdown' });
    await waitFor(() => out.output.includes('greeter-srv-1'), 'first frame');
    input.press(Keys.ctrlC);
    await done;
    expect(api.commands).toEqual([{ type: 'shutdown' }]);
  });

  it('closes by itself when the engine shuts down, without sending shutdown again', async () => {
    const { api, out, streams } = setup();
    const done = runDashboard(api, { ...streams, noColor: true, quitCommand: 'shutdown' });
    await waitFor(() => out.output.includes('greeter-srv-1'), 'first frame');
    api.emit({ type: 'shutdown', at: 0 });
    await done;
    expect(api.commands).toEqual([]);
  });

  it('closes when the signal aborts', async () => {
    const { api, out, streams } = setup();
    const ac = new AbortController();
    const done = runDashboard(api, { ...streams, noColor: true, signal: ac.signal });
    await waitFor(() => out.output.includes('greeter-srv-1'), 'first frame');
    ac.abort();
    await done;
    expect(api.listenerCount).toBe(0);
  });

  it('switches to the compact layout when the terminal shrinks below 80x24', async () => {
    const { api, out, input, streams } = setup(100, 30);
    const done = runDashboard(api, { ...streams, noColor: true });
    await waitFor(() => out.output.includes('INSTANCE'), 'full layout');
    const mark = out.output.length;
    out.resize(60, 20);
    await waitFor(() => out.output.slice(mark).includes('reg passing 3'), 'compact layout after resize');
    input.press('q');
    await done;
  });

  it('rejects with the render error after restoring the terminal', async () => {
    const broken = new FakeOrchestrator({ ...sampleSnapshot(), instances: undefined as never });
    const out = new FakeTerminalOut(100, 30, true);
    const input = new FakeTerminalIn();
    await expect(runDashboard(broken, { ...asStreams(out, input), noColor: true })).rejects.toThrow();
    expect(input.rawMode).toBe(false);
    expect(out.output.endsWith('\x1b[?1049l')).toBe(true);
  });

  it('uses the alternate screen on a TTY and leaves it on quit', async () => {
    const { api, out, input, streams } = setup(100, 30, true);
    const done = runDashboard(api, { ...streams, noColor: true });
    await waitFor(() => out.output.includes('greeter-srv-1'), 'first frame');
    expect(out.output.startsWith('\x1b[?1049h')).toBe(true);
    input.press('q');
    await done;
    expect(out.output.endsWith('\x1b[?1049l')).toBe(true);
  });
});
