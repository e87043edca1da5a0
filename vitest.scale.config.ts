import { defineConfig } from 'vitest/config';

// `npm run test:scale`: the 1,000-instance topology (test-scale/), apart from `npm test` because it takes
// minutes and most of the machine.
export default defineConfig({
  test: {
    include: ['test-scale/**/*.test.ts'],
    // one temp folder per run, removed at its end (test/support/temp-root.ts)
    globalSetup: ['test/support/temp-root.ts'],
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 120_000,
  },
});
