import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __TEST_BUILD__: 'false' },
  test: {
    include: [
      'src/**/*.test.ts',
      'src/**/*.test.tsx',
      'extension/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 20_000,
  },
});
