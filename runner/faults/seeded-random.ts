/**
 * seededRandom: mulberry32, a tiny 32-bit PRNG. The same seed gives the same sequence on every platform,
 * so target selection, toxicity draws and jitter replay exactly when a run is repeated with `--seed`.
 *
 *   seed (uint32) --> () => number in [0, 1)
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
