/**
 * wrk Lua that offers `rps` requests per second in all (one wrk thread), for the benches that load a path at
 * a set rate (the e2e bench's half load, the profile bench's --rate): wrk asks `delay()` how long a
 * connection waits before its next request, and the answer is the time left until the next free slot of one
 * schedule, so the rate does not depend on how fast answers come. A fixed delay does: its rate is
 * connections / (delay + latency), and a delay computed from the latency at full load (up to 2026-12-03)
 * offered 2-3 times the intended rate once answers came faster. A schedule that fell more than 100 ms
 * behind (a stall) starts again from now instead of sending the backlog in a burst.
 */
export function pacedLua(rps: number): string {
  return [
    'local ffi = require("ffi")',
    'ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } md_timespec; int clock_gettime(int clk, md_timespec *tp); ]]',
    'local ts = ffi.new("md_timespec")',
    'local function now_ms() ffi.C.clock_gettime(1, ts) return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end',
    `local interval = ${1000 / rps}`,
    'local next_at = nil',
    'function delay()',
    '  local t = now_ms()',
    '  if next_at == nil or next_at < t - 100 then next_at = t end',
    '  local wait = next_at - t',
    '  next_at = next_at + interval',
    '  return math.floor(wait + 0.5)',
    'end',
    '',
  ].join('\n');
}
