import { randomBytes } from 'node:crypto';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Integration tests start real containers; running them one file at a time keeps a 2-core machine honest.
    fileParallelism: false,
    testTimeout: 20_000,
    hookTimeout: 120_000,
    // Everything this test run creates carries this session label: leak checks count only our own.
    env: { FERRITE_DRILL_SESSION: process.env.FERRITE_DRILL_SESSION ?? `t${randomBytes(4).toString('hex')}` },
  },
});
