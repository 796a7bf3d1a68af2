/**
 * Citations of docs/protocol.md stay valid. Comments cite its sections as `docs/protocol.md §5.4` (a bare
 * `§6.2` may follow in the same comment). Every `§N` or `§N.M` in the source tree, the fixture READMEs and the
 * docs is read as such a citation and must be a heading of docs/protocol.md (`## 5. …`, `### 5.4 …`); cite
 * other documents without `§`. The numbering of §1–§12 is fixed because the citations predate the page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DOC = join(ROOT, 'docs', 'protocol.md');

const SCANNED_DIRS = ['src', 'extension', 'e2e', 'scripts', 'bench', 'test', 'docs'];
const SCANNED_FILES = ['README.md'];
const EXTENSIONS = /\.(?:ts|tsx|mts|js|mjs|md)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'dist-test', 'test-results', 'artifacts']);

/** `§5.4`, and the end of a range such as `§3.3–3.5` or `§5.2-5.3`. */
const CITATION = /§(\d+(?:\.\d+)?)(?:\s*[–-]\s*(\d+(?:\.\d+)?))?/g;

function headings(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split('\n')) {
    const section = /^## (\d+)\. \S/.exec(line);
    if (section?.[1]) out.add(section[1]);
    const sub = /^### (\d+\.\d+) \S/.exec(line);
    if (sub?.[1]) out.add(sub[1]);
  }
  return out;
}

function walk(dir: string, files: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), files);
    } else if (EXTENSIONS.test(entry.name)) {
      files.push(join(dir, entry.name));
    }
  }
}

interface Citation {
  where: string;
  section: string;
}

function scannedFiles(): string[] {
  const files: string[] = [];
  for (const d of SCANNED_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d), files);
  for (const f of SCANNED_FILES) if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  return files;
}

function citations(): Citation[] {
  const out: Citation[] = [];
  for (const file of scannedFiles()) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(CITATION)) {
        const where = `${relative(ROOT, file)}:${i + 1}`;
        if (m[1]) out.push({ where, section: m[1] });
        if (m[2]) out.push({ where, section: m[2] });
      }
    });
  }
  return out;
}

describe('docs/protocol.md citations', () => {
  const doc = readFileSync(DOC, 'utf8');
  const sections = headings(doc);

  it('keeps the numbering the citations were written against', () => {
    const fixed = [
      ...Array.from({ length: 12 }, (_, i) => String(i + 1)),
      ...['3.1', '3.2', '3.3', '3.4', '3.5', '3.6'],
      ...['5.1', '5.2', '5.3', '5.4', '5.5', '5.6'],
      ...['6.1', '6.2', '6.3'],
    ];
    expect(fixed.filter((s) => !sections.has(s))).toEqual([]);
  });

  it('every cited section is a heading', () => {
    const all = citations();
    // The scan must see the comments that cite the page, or it proves nothing.
    expect(all.length).toBeGreaterThan(50);
    const broken = all.filter((c) => !sections.has(c.section)).map((c) => `${c.where} §${c.section}`);
    expect(broken).toEqual([]);
  });

  it('relative links in docs/protocol.md point at files that exist', () => {
    const missing: string[] = [];
    for (const m of doc.matchAll(/\]\((\.{1,2}\/[^)#\s]+)(?:#[^)]*)?\)/g)) {
      const target = m[1] ?? '';
      if (!existsSync(join(ROOT, 'docs', target))) missing.push(target);
    }
    expect(missing).toEqual([]);
  });

  it('no longer points at the external reference file', () => {
    // The reference lived outside the repository; a clone does not have it.
    const self = fileURLToPath(import.meta.url);
    const stale: string[] = [];
    for (const file of scannedFiles()) {
      if (file === self) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.includes('chatgpt-wire-formats.md')) stale.push(`${relative(ROOT, file)}:${i + 1}`);
        });
    }
    expect(stale).toEqual([]);
  });
});
