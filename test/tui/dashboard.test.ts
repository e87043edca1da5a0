import { render, cleanup } from 'ink-testing-library';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Dashboard } from '../../runner/tui/dashboard.ts';
import { KeyHelp } from '../../runner/tui/panes/help-overlay.ts';
import { FakeOrchestrator, instance, sampleSnapshot } from './fake-orchestrator.ts';
import { AnsiPattern, Keys, waitFor } from './wait-for.ts';

const h = React.createElement;

function mount(api: FakeOrchestrator, props: Partial<Parameters<typeof Dashboard>[0]> = {}) {
  let quits = 0;
  const app = render(h(Dashboard, { api, onQuit: () => quits++, noColor: true, now: () => 192_000, ...props }));
  return { ...app, quits: () => quits, frame: () => app.lastFrame() ?? '' };
}

afterEach(() => cleanup());

describe('Dashboard frames', () => {
  it('shows the header, instances by tier with state words, addresses, registry, sparkline and logs', async () => {
    const api = new FakeOrchestrator();
    api.log('greeter-srv-1', 'listening on 127.0.0.1:41001');
    const app = mount(api);
    const f = app.frame();
    expect(f).toContain('greeter');
    expect(f).toContain('up 3m12s');
    expect(f).toContain('embedded/consul');
    expect(f).toContain('http://127.0.0.1:8080');
    expect(f).toMatch(/greeter-web-1\s+starting\s+127\.0\.0\.1:43001/);
    expect(f).toMatch(/greeter-srv-2\s+ready\s+127\.0\.0\.1:41002\s+tid:2/);
    // tiers in order web, api, srv
    expect(f.indexOf('greeter-web-1')).toBeLessThan(f.indexOf('greeter-api-1'));
    expect(f.indexOf('greeter-api-1')).toBeLessThan(f.indexOf('greeter-srv-1'));
    expect(f).toContain('passing 3  critical 0');
    expect(f).toContain('▁▁▂▃▅█▅▃▂▁');
    expect(f).toContain('listening on 127.0.0.1:41001');
    expect(f).toContain('? help  q quit');
    // the selection (first instance) is detailed under the table
    expect(f).toMatch(/↳ greeter-web-1 starting {2}worker pid 4243/);
  });

  it('follows engine events (state, faults, registry, traffic, logs) within a frame or two', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    api.setInstance(instance('greeter-srv-1', { state: 'unhealthy', faults: ['partition'], address: '127.0.0.1:41001' }));
    api.setRegistry({ kind: 'embedded', semantics: 'eureka', address: '127.0.0.1:8500', passing: 2, critical: 1, renewsLastMin: 3, renewThreshold: 6, selfPreservation: true });
    api.emit({ type: 'traffic', at: 0, gatewayRps: [5, 5, 0] });
    api.log('greeter-api-1', 'boom', 'stderr');
    const f = await waitFor(() => (app.frame().includes('self-preservation ON') ? app.frame() : undefined), 'registry update');
    expect(f).toMatch(/greeter-srv-1\s+unhealthy/);
    expect(f).toMatch(/greeter-srv-1\s+unhealthy\s+partition\s+127\.0\.0\.1:41001/);
    expect(f).toContain('critical 1');
    expect(f).toContain('renews 3/min < threshold 6');
    expect(f).toContain('██▁');
    expect(f).toContain('boom');
  });

  it("a registry cluster's members get a line each, and the pane grows to hold them all", async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    const member = (name: string, role: 'leader' | 'follower' | 'down', faults: string[] = []) => ({ name, role, term: 3, address: `127.0.0.1:2${name.slice(-1)}379`, links: [], faults });
    api.setRegistry({
      kind: 'etcd',
      semantics: 'etcd',
      address: '127.0.0.1:21379',
      passing: 3,
      critical: 0,
      members: [member('etcd-1', 'leader'), member('etcd-2', 'follower', ['partition']), member('etcd-3', 'down', ['kill'])],
    });
    const f = await waitFor(() => (app.frame().includes('etcd-3 down') ? app.frame() : undefined), 'the members');
    expect(f).toContain('Registry etcd/etcd');
    expect(f).toContain('passing 3  critical 0');
    expect(f).toContain('etcd-1 leader t3 127.0.0.1:21379');
    expect(f).toContain('etcd-2 follower t3 127.0.0.1:22379 partition');
    expect(f).toContain('etcd-3 down t3 127.0.0.1:23379 kill');
  });

  it('coalesces a burst of events into a few frames instead of one per event', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api, { frameMs: 100 });
    const before = app.frames.length;
    for (let i = 0; i < 500; i++) api.log('greeter-srv-1', `line ${i}`);
    await waitFor(() => app.frame().includes('line 499'), 'last line rendered');
    expect(app.frames.length - before).toBeLessThanOrEqual(3);
  });

  it('shows the scenario timeline with expectations turning pass or fail', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    const view = {
      name: 'kill-one-replica',
      startedAt: 190_000,
      steps: [
        { at: 0, label: 'kill greeter-srv-1', state: 'done' as const },
        { at: 5000, label: 'heal', state: 'active' as const },
      ],
      expectations: [
        { label: 'availability >= 99%', state: 'pass' as const },
        { label: 'recovers within 5s', state: 'pending' as const },
      ],
    };
    api.emit({ type: 'scenario', at: 0, view });
    await waitFor(() => app.frame().includes('Scenario kill-one-replica'), 'scenario pane');
    expect(app.frame()).toMatch(/PASS\s+availability >= 99%/);
    expect(app.frame()).toMatch(/pending\s+recovers within 5s/);
    api.emit({ type: 'scenario', at: 0, view: { ...view, expectations: [view.expectations[0], { label: 'recovers within 5s', state: 'fail', detail: 'took 7.0s' }] } });
    await waitFor(() => /FAIL\s+recovers within 5s \(took 7.0s\)/.test(app.frame()), 'expectation turns FAIL');
  });

  it('uses a compact layout at 60 columns: every line fits, states still in words', () => {
    const api = new FakeOrchestrator();
    const app = mount(api, { size: { columns: 60, rows: 20 } });
    const lines = app.frame().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(60);
    expect(lines.length).toBeLessThanOrEqual(19);
    expect(app.frame()).toMatch(/srv\s+greeter-srv-1\s+ready/);
    expect(app.frame()).toContain('reg passing 3');
    expect(app.frame()).not.toContain('INSTANCE');
  });

  it('keeps many instances inside the frame and scrolls to the selection', async () => {
    const snap = sampleSnapshot();
    snap.instances = Array.from({ length: 30 }, (_, i) => instance(`greeter-srv-${i + 1}`));
    const api = new FakeOrchestrator(snap);
    const app = mount(api, { size: { columns: 100, rows: 24 } });
    expect(app.frame().split('\n').length).toBeLessThanOrEqual(23);
    expect(app.frame()).toContain('more lines');
    for (let i = 0; i < 20; i++) app.stdin.write(Keys.down);
    await waitFor(() => app.frame().includes('> greeter-srv-21'), 'selection scrolled into view');
  });

  it('NO_COLOR output holds no ANSI escapes; coloured output does', () => {
    const plain = mount(new FakeOrchestrator(), { noColor: true });
    expect(plain.frame()).not.toMatch(AnsiPattern);
    expect(plain.frame()).toMatch(/greeter-web-1\s+starting/);
    const coloured = mount(new FakeOrchestrator(), { noColor: false });
    expect(coloured.frame()).toMatch(AnsiPattern);
    // the state word is there in colour too, wrapped in its colour (blue for starting)
    expect(coloured.frame()).toContain('\x1b[34mstarting');
  });
});

describe('Dashboard keys', () => {
  it('maps k r p h l to commands on the selected instance, s to stop then start', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    app.stdin.write(Keys.down); // web-1 is first; move to api-1
    app.stdin.write(Keys.tab); // srv-1
    for (const k of ['k', 'r', 'p', 'h', 'l']) app.stdin.write(k);
    await api.waitForCommands(5);
    const target = 'greeter-srv-1';
    expect(api.commands).toEqual([
      { type: 'kill', instance: target },
      { type: 'restart', instance: target },
      { type: 'toggle-fault', instance: target, fault: 'partition' },
      { type: 'toggle-fault', instance: target, fault: 'heartbeat-loss' },
      { type: 'toggle-fault', instance: target, fault: 'latency' },
    ]);
    await waitFor(() => app.frame().includes('partition,heartbeat-loss,latency') || undefined, 'active faults shown');
    app.stdin.write('s');
    await api.waitForCommands(6);
    expect(api.commands[5]).toEqual({ type: 'stop', instance: target });
    await waitFor(() => /greeter-srv-1\s+stopped/.test(app.frame()), 'stopped state');
    app.stdin.write('s');
    await api.waitForCommands(7);
    expect(api.commands[6]).toEqual({ type: 'start', instance: target });
  });

  it('shows the CommandResult message, and a rejected command, in the status line', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    app.stdin.write('k');
    await waitFor(() => app.frame().includes('kill greeter-web-1: done'), 'result message');
    api.command = async () => {
      throw new Error('control API unreachable');
    };
    app.stdin.write('r');
    await waitFor(() => app.frame().includes('restart greeter-web-1 failed: control API unreachable'), 'error message');
  });

  it('c opens the scenario list; arrows pick, enter runs', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api, { scenarios: ['kill-one-replica', 'partition-srv', 'registry-down'] });
    app.stdin.write('c');
    await waitFor(() => app.frame().includes('Run scenario'), 'picker');
    expect(app.frame()).toContain('> kill-one-replica');
    app.stdin.write(Keys.down);
    await waitFor(() => app.frame().includes('> partition-srv'), 'second highlighted');
    app.stdin.write(Keys.enter);
    await api.waitForCommands(1);
    expect(api.commands[0]).toEqual({ type: 'run-scenario', name: 'partition-srv' });
    await waitFor(() => app.frame().includes('Scenario partition-srv'), 'scenario pane');
  });

  it('c without a list prompts for a name', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api);
    app.stdin.write('c');
    await waitFor(() => app.frame().includes('scenario name: _'), 'prompt');
    for (const ch of 'slow-srvx') app.stdin.write(ch);
    app.stdin.write(Keys.backspace);
    await waitFor(() => app.frame().includes('scenario name: slow-srv_'), 'typed name');
    app.stdin.write(Keys.enter);
    await api.waitForCommands(1);
    expect(api.commands[0]).toEqual({ type: 'run-scenario', name: 'slow-srv' });
  });

  it('/ filters logs; a limits them to the selected instance', async () => {
    const api = new FakeOrchestrator();
    api.log('greeter-srv-1', 'alpha request');
    api.log('greeter-web-1', 'beta request');
    api.log('greeter-web-1', 'gamma');
    const app = mount(api);
    app.stdin.write('/');
    for (const ch of 'request') app.stdin.write(ch);
    app.stdin.write(Keys.enter);
    await waitFor(() => app.frame().includes('filter "request"'), 'filter applied');
    expect(app.frame()).toContain('alpha request');
    expect(app.frame()).not.toContain('gamma');
    app.stdin.write('a'); // selected = greeter-web-1
    await waitFor(() => app.frame().includes('Logs: greeter-web-1'), 'scoped to selection');
    expect(app.frame()).toContain('beta request');
    expect(app.frame()).not.toContain('alpha request');
  });

  it('? shows help (every key at 80x24), any key closes it; q and Ctrl-C quit', async () => {
    const api = new FakeOrchestrator();
    const app = mount(api, { size: { columns: 80, rows: 24 } });
    app.stdin.write('?');
    await waitFor(() => app.frame().includes('toggle heartbeat loss'), 'help');
    for (const [, what] of KeyHelp) expect(app.frame()).toContain(what);
    app.stdin.write('x');
    await waitFor(() => !app.frame().includes('toggle heartbeat loss'), 'help closed');
    app.stdin.write('q');
    await waitFor(() => app.quits() === 1, 'quit on q');
    app.stdin.write(Keys.ctrlC);
    await waitFor(() => app.quits() === 2, 'quit on ctrl-c');
    expect(api.commands).toEqual([]);
  });
});

describe('Dashboard log scrollback', () => {
  it('PgUp scrolls back through kept lines, End follows again', async () => {
    const api = new FakeOrchestrator();
    for (let i = 0; i < 50; i++) api.log('greeter-srv-1', `line-${String(i).padStart(2, '0')}`);
    const app = mount(api, { size: { columns: 100, rows: 24 } });
    expect(app.frame()).toContain('line-49');
    app.stdin.write('\x1b[5~'); // PgUp
    await waitFor(() => app.frame().includes('scrolled back'), 'scrolled');
    expect(app.frame()).not.toContain('line-49');
    api.log('greeter-srv-1', 'line-50');
    app.stdin.write('\x1b[F'); // End
    await waitFor(() => app.frame().includes('line-50'), 'following again');
    expect(app.frame()).not.toContain('scrolled back');
  });
});
