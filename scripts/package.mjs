// Store-ready packages in artifacts/: a fresh release build (never dist-test/) zipped per browser, plus
// the source archive addons.mozilla.org asks for because the shipped code is bundled and minified.
//   node scripts/package.mjs [--no-build]
// Zipping uses web-ext (already a devDependency for `lint:firefox`); it builds a plain zip for Chrome too.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ARTIFACTS = resolve('artifacts');
const TARGETS = ['chrome', 'firefox'];

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`package: ${cmd} ${args.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
}

if (!process.argv.includes('--no-build')) run('node', ['scripts/build.mjs']);

mkdirSync(ARTIFACTS, { recursive: true });
for (const target of TARGETS) {
  const dir = resolve('dist', target);
  const { version } = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const filename = `chatgpt-flow-recorder-${version}-${target}.zip`;
  run('npx', [
    'web-ext',
    'build',
    '--source-dir',
    dir,
    '--artifacts-dir',
    ARTIFACTS,
    '--filename',
    filename,
    '--overwrite-dest',
    '--no-input',
    '--no-config-discovery',
  ]);
  console.log(`packaged artifacts/${filename}`);
}

// AMO reviewers rebuild bundled add-ons from source: the committed tree at HEAD, with docs/install.md.
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const source = join(ARTIFACTS, `chatgpt-flow-recorder-${version}-source.zip`);
const git = spawnSync('git', ['archive', '--format=zip', `--output=${source}`, 'HEAD'], { stdio: 'inherit' });
if (git.status === 0) console.log(`packaged artifacts/${source.split('/').pop()} (git HEAD)`);
else console.warn('package: no git checkout, skipped the source archive for AMO');
