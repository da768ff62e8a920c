import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A temp folder per run; the run fails if a test leaves a netsec-* entry in it.
    globalSetup: ['test/global-tmp.ts'],
    // Synthesis tests compile many ajv validators; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
