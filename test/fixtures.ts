/**
 * The one place that resolves the project's fixture files (`test/fixtures/`, see its README for each file's
 * source and date). Node only: unit tests, the fake ChatGPT, the demo and the benchmarks read fixtures
 * through it; the extension never does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of `test/fixtures/`, with a trailing slash. */
// Path arithmetic, not `new URL(…, import.meta.url)`: under happy-dom the global URL is the DOM's, which
// node:url's fileURLToPath rejects.
export const FIXTURES_DIR = `${join(dirname(fileURLToPath(import.meta.url)), 'fixtures')}/`;

/** Absolute path of a fixture, given its path under `test/fixtures/` (e.g. `real/README.md`). */
export function fixturePath(relative: string): string {
  return `${FIXTURES_DIR}${relative}`;
}

/** A fixture's text (UTF-8). Throws ENOENT naming the path when the file is missing. */
export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** A fixture parsed as JSON. Throws on a missing file or invalid JSON. */
export function readJsonFixture(relative: string): unknown {
  return JSON.parse(readFixture(relative)) as unknown;
}

/** The file names (not paths) in a fixture folder, sorted. */
export function listFixtures(folder: string): string[] {
  return readdirSync(fixturePath(folder)).sort();
}
