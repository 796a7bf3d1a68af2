// `npm run demo [-- --screenshot DIR]`: the extension on the fake ChatGPT, with the seed flow and the 2026
// flow replayed, the popup open. The work is in demo.ts (it uses the e2e fake server, which is TypeScript).
import { spawnSync } from 'node:child_process';

const r = spawnSync('npx', ['tsx', 'scripts/demo.ts', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
