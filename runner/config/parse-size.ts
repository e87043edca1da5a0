/**
 * Sizes in config files: `10MiB`, `512KiB`, `1GiB`, `100KB` (decimal), `64B`, or a plain number of bytes.
 */
export const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB|kB|KB|MB|GB)\\s*$';
export const SIZE_HINT = 'expected a size such as 10MiB, 512KiB, or a number of bytes';

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  kB: 1000,
  KB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
};

/** Bytes (rounded down), or undefined when the text is not a size. Never throws. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (!new RegExp(SIZE_PATTERN).test(value)) return undefined;
  const [, num, unit] = /^\s*(\d+(?:\.\d+)?)\s*(\w+)\s*$/.exec(value)!;
  return Math.floor(Number(num) * UNIT_BYTES[unit!]!);
}
