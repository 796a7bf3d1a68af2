// `npm run bench`: builds the release extension if needed, then runs every benchmark in one process.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync('dist/chrome/manifest.json') || !existsSync('dist-test/chrome/manifest.json')) {
  for (const s of ['build', 'build:test']) {
    const r = spawnSync('npm', ['run', s], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
const r = spawnSync('npx', ['tsx', 'bench/index.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
