#!/usr/bin/env node
// The command-line converter (scripts/convert.ts), run from the TypeScript sources through tsx: no build
// step, so it works from a fresh clone after `npm install`. Usage: chatgpt-flow-recorder convert --help
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../scripts/convert.ts');
process.exitCode = await main(process.argv.slice(2));
