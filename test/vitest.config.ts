import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 90_000, include: ['**/*.test.ts'], exclude: ['node_modules/**'] } });
