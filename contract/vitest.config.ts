import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Property tests run thousands of cases; a loaded CI machine must not turn that into a timeout.
    testTimeout: 30_000,
  },
});
