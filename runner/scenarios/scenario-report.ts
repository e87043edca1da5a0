/**
 * Reports of a scenario run: the summary table printed at the end, the JSON report (`--json FILE`: every
 * result, its timeline included, so verdicts can be recomputed) and JUnit XML (`--junit FILE`: one test
 * suite per scenario, one test case per hypothesis probe and expectation; an error run is one <error>).
 * Pure: strings in, strings out.
 */
import type { ExpectationResult } from './evaluate-expectation.ts';
import type { ScenarioResult } from './run-scenario.ts';
import { othersNotPassing, othersNotPassingLine } from './others-not-passing.ts';
import { stepTraceLines } from './step-traces.ts';

/** 2 when one could not run, or could not be judged whole (`unjudged`); else 1 when one failed; else 0. */
export function exitCodeOf(results: readonly ScenarioResult[]): number {
  if (results.some((r) => r.verdict === 'error' || r.verdict === 'unjudged')) return 2;
  return results.some((r) => r.verdict === 'failed') ? 1 : 0;
}

/** Results indented for reading; each timeline (thousands of samples) on one line to keep the file small. */
export function jsonReport(results: readonly ScenarioResult[], options: { withTimeline?: boolean } = {}): string {
  const withTimeline = options.withTimeline ?? true;
  const scenarios = results.map((r, i) => ({ ...r, timeline: withTimeline ? `\u0000timeline:${i}` : undefined }));
  const text = JSON.stringify({ tool: 'micro-dev', exitCode: exitCodeOf(results), scenarios }, null, 2);
  return text.replace(/"\\u0000timeline:(\d+)"/g, (_, i: string) => JSON.stringify(results[Number(i)]!.timeline)) + '\n';
}

/** One block per scenario (loads, steps, every check with its value), then one line per scenario. */
export function summaryTable(results: readonly ScenarioResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push('', `${r.name}  ${r.verdict.toUpperCase()}  (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s)`);
    if (r.against) lines.push(`  against ${r.against}`);
    if (r.error) lines.push(`  error: ${r.error}`);
    for (const n of r.notApplied ?? []) lines.push(`  step ${n.step.padEnd(12)} ${n.fault.padEnd(16)} not applied: ${n.reason}`);
    for (const l of r.loads) {
      lines.push(`  load ${l.name.padEnd(12)} via ${l.through.padEnd(12)} ${l.ok}/${l.sent} ok  availability ${fmtPct(l.availability)}  p50 ${l.p50.toFixed(1)} ms  p99 ${l.p99.toFixed(1)} ms`);
      if (l.failures.length > 0) lines.push(`       failed: ${l.failures.map((f) => `${f.count}x ${f.reason.slice(0, 80)}`).join('; ')}`);
      if (l.skipped > 0) lines.push(`       skipped: ${l.skipped} sends over the load's concurrency cap, not counted (the generator's limit: raise load.concurrency)`);
    }
    const targeted = new Set(r.steps.flatMap((s) => s.targets));
    for (const s of r.steps) {
      lines.push(`  step ${s.id.padEnd(12)} ${s.fault.padEnd(16)} ${s.targets.join(', ').padEnd(24)} +${(s.startAt / 1000).toFixed(2)}s .. +${(s.endAt / 1000).toFixed(2)}s`);
      const others = othersNotPassingLine(othersNotPassing(s, r.timeline.samples, targeted));
      if (others) lines.push(others);
      const traces = r.traces?.find((t) => t.step === s.id);
      if (traces) lines.push(...stepTraceLines(traces));
    }
    for (const c of checks(r)) lines.push(`  ${c.ok ? 'ok  ' : c.unjudged ? 'skip' : 'FAIL'} ${c.label}: ${c.detail}`);
    for (const rb of r.rollbacks.filter((x) => !x.ok)) lines.push(`  FAIL rollback ${rb.action}: ${rb.detail}`);
  }
  const width = Math.max(8, ...results.map((r) => r.name.length));
  lines.push('', `${'scenario'.padEnd(width)}  verdict  checks  seconds`);
  for (const r of results) {
    const all = checks(r);
    lines.push(`${r.name.padEnd(width)}  ${r.verdict.padEnd(7)}  ${`${all.filter((c) => c.ok).length}/${all.length}`.padEnd(6)}  ${(r.durationMs / 1000).toFixed(1)}`);
  }
  return lines.join('\n') + '\n';
}

export function junitReport(results: readonly ScenarioResult[]): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const all = results.map(checks);
  const failures = all.flat().filter((c) => !c.ok && !c.unjudged).length;
  const skipped = all.flat().filter((c) => c.unjudged).length;
  const errors = results.filter((r) => r.verdict === 'error').length;
  const cases = (r: ScenarioResult, i: number) => all[i]!.length + (r.verdict === 'error' ? 1 : 0);
  const tests = results.reduce((n, r, i) => n + cases(r, i), 0);
  const seconds = results.reduce((s, r) => s + r.durationMs, 0) / 1000;
  out.push(`<testsuites name="micro-dev scenarios" tests="${tests}" failures="${failures}" errors="${errors}"${skipped ? ` skipped="${skipped}"` : ''} time="${seconds.toFixed(3)}">`);
  results.forEach((r, i) => {
    const cs = all[i]!;
    const time = (r.durationMs / 1000).toFixed(3);
    out.push(
      `  <testsuite name="${esc(r.name)}" tests="${cases(r, i)}" failures="${cs.filter((c) => !c.ok && !c.unjudged).length}" errors="${r.verdict === 'error' ? 1 : 0}"${cs.some((c) => c.unjudged) ? ` skipped="${cs.filter((c) => c.unjudged).length}"` : ''} time="${time}" timestamp="${esc(r.startedAt)}">`,
      `    <properties><property name="seed" value="${r.seed}"/></properties>`,
    );
    if (r.verdict === 'error') {
      out.push(`    <testcase classname="scenario.${esc(r.name)}" name="run" time="${time}">`, `      <error message="${esc(r.error ?? 'could not run')}"/>`, '    </testcase>');
    }
    for (const c of cs) {
      out.push(`    <testcase classname="scenario.${esc(r.name)}" name="${esc(c.label)}" time="0">`);
      if (c.unjudged) out.push(`      <skipped message="${esc(`not judged: ${c.unjudged}`)}"/>`);
      else if (!c.ok) out.push(`      <failure message="${esc(`${c.label}: ${c.detail}`)}">${esc(c.detail)}</failure>`);
      else out.push(`      <system-out>${esc(c.detail)}</system-out>`);
      out.push('    </testcase>');
    }
    const traceLines = (r.traces ?? []).flatMap((t) => {
      const body = stepTraceLines(t, '  ');
      return body.length > 0 ? [`step ${t.step}:`, ...body] : [];
    });
    if (traceLines.length > 0) out.push(`    <system-out>${esc(['failed and slowest traces per step:', ...traceLines].join('\n'))}</system-out>`);
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function checks(r: ScenarioResult): ExpectationResult[] {
  return [...r.hypothesis.before, ...r.expectations, ...r.hypothesis.after];
}

const fmtPct = (v: number) => (Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)}%`);

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
