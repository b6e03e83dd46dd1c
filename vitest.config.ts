import { defineConfig } from 'vitest/config';

// Two tiers: `unit` (pure code and in-process tests with a real Redis, seconds) and `e2e` (worker
// processes, the gateway, fault and chaos suites). `pnpm test` runs both.
export default defineConfig({
  test: {
    // Each file starts its own redis-server and child processes; keep the 2-core machine breathing.
    maxWorkers: 2,
    testTimeout: 60_000,
    // Above the testkit's worker start-up wait (50 s), with room for the Redis and fake a hook starts too.
    hookTimeout: 90_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['packages/*/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'e2e', include: ['test/**/*.test.ts'] } },
    ],
  },
});
