import { defineConfig } from 'vitest/config';

// Browser tests (npm run test:e2e): a real onsale server process and Debian's Chromium per
// file, one file at a time (each holds a server and a browser; the machines have 2 cores).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
