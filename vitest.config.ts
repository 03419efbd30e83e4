import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Tests train small models, print PDFs in Chromium and run the CLI as a child process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
