import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Lives in test/ to keep the repository's top level to the agreed folders.
export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests run the daemon as a child process against a simulator.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // 2 cores: the e2e tests start their own processes, so keep the workers few.
    maxWorkers: 2,
  },
});
