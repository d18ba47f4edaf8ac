import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'detectors/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Servers started by tests bind 127.0.0.1 on port 0; files can run in parallel.
    pool: 'forks',
  },
});
