import { crx } from '@crxjs/vite-plugin';
import { defineConfig } from 'vite';
import { manifestFor, type Target } from './extension/targets.ts';
import baseManifest from './manifest.json' with { type: 'json' };

// BROWSER=chrome|firefox picks the target; TEST_BUILD=1 compiles in the e2e query channel (dist-test/).
const target = (process.env.BROWSER ?? 'chrome') as Target;
const testBuild = process.env.TEST_BUILD === '1';

export default defineConfig({
  define: { __TEST_BUILD__: JSON.stringify(testBuild) },
  plugins: [crx({ manifest: manifestFor(baseManifest, target) as never, browser: target })],
  build: {
    outDir: `${testBuild ? 'dist-test' : 'dist'}/${target}`,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    rollupOptions: { input: { app: 'extension/app/index.html', insights: 'extension/insights/index.html' } },
  },
  server: { cors: false },
});
