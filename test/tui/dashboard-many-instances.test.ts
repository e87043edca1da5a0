/**
 * The dashboard with a thousand instances of one service (issue 13 point 4): a summary line per service,
 * the `/` filter on instances, and paging through a list longer than its pane. ink-testing-library frames
 * and keys on a FakeOrchestrator.
 */
import { cleanup, render } from 'ink-testing-library';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../runner/engine/api.ts';
import { Dashboard } from '../../runner/tui/dashboard.ts';
import { FakeOrchestrator, instance, sampleSnapshot } from './fake-orchestrator.ts';
import { Keys, waitFor } from './wait-for.ts';

const h = React.createElement;
const CRASHED = [42, 417, 1000];
const PgUp = '\x1b[5~';
const PgDn = '\x1b[6~';
const Home = '\x1b[H';
const End = '\x1b[F';

function thousand(): Snapshot {
  const snap = sampleSnapshot();
  const srv = Array.from({ length: 1000 }, (_, i) =>
    instance(`greeter-srv-${i + 1}`, {
      address: `127.0.0.1:${20_000 + i}`,
      traffic: { requests: 10, errors: 0, rps: 0.5, errorRate: 0, p50: 1, p99: 2, windowMs: 10_000 },
      ...(CRASHED.includes(i + 1) ? { state: 'crashed' as const, restarts: 2 } : {}),
    }),
  );
  snap.instances = [...snap.instances.filter((v) => v.service !== 'greeter-srv'), ...srv];
  return snap;
}

function mount(api: FakeOrchestrator, rows = 40) {
  const app = render(h(Dashboard, { api, onQuit: () => undefined, noColor: true, now: () => 192_000, size: { columns: 120, rows } }));
  return { ...app, frame: () => app.lastFrame() ?? '' };
}

/** The instance lines of the services pane (name first), in frame order. */
const listed = (frame: string) => frame.split('\n').flatMap((l) => (/^[> ] (greeter-\w+-\d+) /.exec(l) ? [/^[> ] (greeter-\w+-\d+) /.exec(l)![1]!] : []));
const selected = (frame: string) => /^> (greeter-\w+-\d+) /m.exec(frame)?.[1];

afterEach(() => cleanup());

describe('Dashboard with a thousand instances', () => {
  it('sums up the service in one line (count by state, req/s, restarts) and lists only those worth a look', () => {
    const app = mount(new FakeOrchestrator(thousand()));
    const f = app.frame();
    expect(f).toMatch(/greeter-srv x1000 +997 ready, 3 crashed +req\/s 500 +err 0\.0% +restarts 6/);
    expect(f).toContain('Services 998/1002 ready');
    expect(listed(f).filter((n) => n.startsWith('greeter-srv'))).toEqual(CRASHED.map((n) => `greeter-srv-${n}`));
  });

  it('/ filters the instances as it is typed (name, service, state), the selection walks the matches, keys act on them, Esc clears', async () => {
    const api = new FakeOrchestrator(thousand());
    const app = mount(api);
    app.stdin.write('/');
    for (const ch of 'crashed') app.stdin.write(ch);
    await waitFor(() => app.frame().includes('filter "crashed": 3 match'), 'the list filtered while typing');
    app.stdin.write(Keys.enter);
    await waitFor(() => selected(app.frame()) === 'greeter-srv-42', 'the first match selected');
    expect(listed(app.frame())).toEqual(CRASHED.map((n) => `greeter-srv-${n}`));
    expect(app.frame()).toMatch(/greeter-srv x3 of 1000 +3 crashed/);
    app.stdin.write(Keys.down);
    await waitFor(() => selected(app.frame()) === 'greeter-srv-417', 'down to the next match');
    app.stdin.write('s'); // a crashed instance: start it
    await api.waitForCommands(1);
    expect(api.commands).toEqual([{ type: 'start', instance: 'greeter-srv-417' }]);

    app.stdin.write(Keys.escape);
    await waitFor(() => !app.frame().includes('filter "'), 'filter cleared');
    expect(app.frame()).toMatch(/greeter-srv x1000 +997 ready/);

    // By name: greeter-srv-99 and greeter-srv-990..999.
    app.stdin.write('/');
    for (const ch of 'srv-99') app.stdin.write(ch);
    app.stdin.write(Keys.enter);
    await waitFor(() => app.frame().includes('filter "srv-99": 11 match'), 'filtered by name');
    expect(listed(app.frame())).toEqual(['greeter-srv-99', ...Array.from({ length: 10 }, (_, i) => `greeter-srv-${990 + i}`)]);
  });

  it('PgDn/PgUp/Home/End page the selection through a list longer than its pane and keep it in view; the logs stay put', async () => {
    const api = new FakeOrchestrator(thousand());
    for (let i = 0; i < 30; i++) api.log('greeter-srv-1', `line-${i}`);
    const app = mount(api, 30);
    app.stdin.write('/');
    for (const ch of 'srv') app.stdin.write(ch);
    app.stdin.write(Keys.enter);
    await waitFor(() => app.frame().includes('filter "srv": 1000 match'), 'every srv instance listed');
    expect(app.frame()).toContain('more lines (↑↓ pgup pgdn home end)');
    expect(selected(app.frame())).toBe('greeter-srv-1');
    app.stdin.write(PgDn);
    const first = await waitFor(() => (selected(app.frame()) !== 'greeter-srv-1' ? selected(app.frame()) : undefined), 'a page down');
    const step = Number(first!.split('-').pop()) - 1;
    expect(step).toBeGreaterThan(1);
    app.stdin.write(PgDn);
    await waitFor(() => selected(app.frame()) === `greeter-srv-${1 + 2 * step}`, 'another page down, in view');
    app.stdin.write(End);
    await waitFor(() => selected(app.frame()) === 'greeter-srv-1000', 'the last one, in view');
    app.stdin.write(PgUp);
    await waitFor(() => selected(app.frame()) === `greeter-srv-${1000 - step}`, 'a page up');
    app.stdin.write(Home);
    await waitFor(() => selected(app.frame()) === 'greeter-srv-1', 'the first one');
    expect(app.frame()).toContain('line-29');
    expect(app.frame()).not.toContain('scrolled back');
  });
});
