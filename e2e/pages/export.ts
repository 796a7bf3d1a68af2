/**
 * Page object for the export/import panel (src/ui/export/panel.tsx) and the popup's clear-all, by
 * accessible names: what a user clicks.
 */
import { readFileSync } from 'node:fs';
import type { Locator, Page } from '@playwright/test';

export class ExportPanel {
  constructor(readonly page: Page) {}

  /** The panel of the view on screen (the list's, or the open conversation's). */
  get root(): Locator {
    return this.page.getByRole('group', { name: 'Export and import' }).first();
  }

  get status(): Locator {
    return this.root.getByRole('status');
  }

  get error(): Locator {
    return this.root.getByRole('alert');
  }

  get shareSafe(): Locator {
    return this.root.getByLabel('Share-safe', { exact: true });
  }

  /** Clicks Export JSON / Export HAR and returns the downloaded file. */
  async export(format: 'JSON' | 'HAR'): Promise<{ name: string; path: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.root.getByRole('button', { name: `Export ${format}`, exact: true }).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), path, text: readFileSync(path, 'utf8') };
  }

  /** Clicks Import and picks the file in the file chooser. */
  async import(file: string | { name: string; mimeType: string; buffer: Buffer }) {
    const [chooser] = await Promise.all([
      this.page.waitForEvent('filechooser'),
      this.root.getByRole('button', { name: 'Import', exact: true }).click(),
    ]);
    await chooser.setFiles(file);
  }

  /** The footer's "Clear everything…" and its confirmation. */
  async clearAll() {
    await this.page.getByRole('button', { name: 'Clear everything…' }).click();
    await this.page
      .getByRole('alertdialog')
      .getByRole('button', { name: 'Clear everything', exact: true })
      .click();
  }
}
