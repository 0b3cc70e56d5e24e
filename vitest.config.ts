import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The fleet tests share one set of real hosts (fixed 127.0.0.N addresses) and some pause, rekey or
    // kill them on purpose: files run one after another so no test sees another's fault.
    fileParallelism: false,
  },
});
