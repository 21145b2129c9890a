import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests boot real QEMU guests: run test files one at a time so that
    // concurrent boots do not compete for the two cores a CI machine has.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
