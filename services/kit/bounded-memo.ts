/**
 * A function of a string remembered per argument, for names that repeat from request to request (header
 * names, origins). Bounded: past `max` entries the memory starts over, so callers that choose their own
 * names (a hostile client's headers) cannot grow it without limit.
 */
export function boundedMemo<T>(compute: (key: string) => T, max = 1_000): (key: string) => T {
  const known = new Map<string, T>();
  return (key: string): T => {
    let value = known.get(key);
    if (value === undefined) {
      value = compute(key);
      if (known.size >= max) known.clear();
      known.set(key, value);
    }
    return value;
  };
}
