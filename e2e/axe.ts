/**
 * axe-core audits of extension pages. axe-core is loaded from node_modules (a dev dependency); when it is
 * missing the audit fails with a message saying what to install, instead of silently passing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';

/** Where axe-core's browser bundle is, or an Error saying how to get it. */
export function axeSource(): string {
  const require = createRequire(resolve('package.json'));
  let main: string;
  try {
    main = require.resolve('axe-core');
  } catch {
    throw new Error(
      'axe-core is not installed: the accessibility audit needs it. Run `npm install --save-dev axe-core`.',
    );
  }
  const min = resolve(main, '..', 'axe.min.js');
  return existsSync(min) ? min : main;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe on the page (WCAG 2.x A and AA rules, best practices, and the experimental
 * `label-content-name-mismatch`: an accessible name must contain the visible text). Returns the violations.
 */
export async function audit(page: Page, include?: string): Promise<AxeViolation[]> {
  const ready = await page.evaluate(() => 'axe' in window);
  // Evaluated through the DevTools protocol: extension pages' CSP forbids inline <script> tags.
  if (!ready) await page.evaluate(readFileSync(axeSource(), 'utf8'));
  return page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(selector ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      rules: { 'label-content-name-mismatch': { enabled: true } },
    })) as { violations: AxeViolation[] };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target,
        html: n.html.slice(0, 200),
        ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}),
      })),
    }));
  }, include);
}

/** One line per violation and node, for an assertion message. */
export function describeViolations(list: readonly AxeViolation[]): string {
  return list
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target.join(' ')} ${n.html}`))
    .join('\n');
}
