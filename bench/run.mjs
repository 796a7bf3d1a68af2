// `npm run bench`: builds the extension for Chromium (release and test builds, so what is measured is the
// working tree), then runs the benchmarks in one process.
import { spawnSync } from 'node:child_process';

for (const flags of [[], ['--test']]) {
  const r = spawnSync('node', ['scripts/build.mjs', '--browser=chrome', ...flags], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync('npx', ['tsx', 'bench/index.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
