// Builds the extension for every target browser: dist/<browser>/ (release) or, with --test,
// dist-test/<browser>/ with the e2e query channel compiled in.
import { spawnSync } from 'node:child_process';

const test = process.argv.includes('--test');
const only = process.argv.find((a) => a.startsWith('--browser='))?.split('=')[1];
for (const browser of only ? [only] : ['chrome', 'firefox']) {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    stdio: 'inherit',
    env: { ...process.env, BROWSER: browser, TEST_BUILD: test ? '1' : '0' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  console.log(`built ${test ? 'dist-test' : 'dist'}/${browser}`);
}
