import { defineConfig } from 'vitest/config';

// unit: colocated *.test.ts beside the code (fast, real parts in-process).
// integration: test/**  (real servers on port 0, worker threads, child processes, the CLI, Docker).
export default defineConfig({
  test: {
    // one temp folder per run, removed at its end (test/support/temp-root.ts)
    globalSetup: ['test/support/temp-root.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['runner/**/*.test.ts', 'services/**/*.test.ts'],
          testTimeout: 20_000,
          // Projects with different maxWorkers need their own group: units first, then integration.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration tests start servers and processes: keep the 2-core machine from thrashing.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
