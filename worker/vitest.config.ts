import { defineConfig } from 'vitest/config';

// Tests here run real processes and databases; a loaded CI machine (turbo runs packages side by side)
// must not turn slowness into failures.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } });
