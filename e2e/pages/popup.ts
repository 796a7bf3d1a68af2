/**
 * Page object for the popup UI (opened in a tab: Playwright cannot open an action popup). Reads what a
 * user sees: list rows, timeline rows, latency cards, checks, reply text.
 */
import type { BrowserContext, Locator, Page } from '@playwright/test';

export class PopupPage {
  private constructor(readonly page: Page) {}

  static async open(context: BrowserContext, extensionId: string, hash = ''): Promise<PopupPage> {
    const page = await context.newPage();
    await page.setViewportSize({ width: 780, height: 580 });
    await page.goto(`chrome-extension://${extensionId}/extension/popup/index.html${hash}`);
    const popup = new PopupPage(page);
    await popup.search.waitFor();
    return popup;
  }

  get search(): Locator {
    return this.page.getByLabel('Search conversations');
  }

  get kindFilter(): Locator {
    return this.page.getByLabel('Filter by kind');
  }

  get recording(): Locator {
    return this.page.getByRole('switch', { name: 'Recording' });
  }

  /** Flips the recording switch as a user does: a click on the switch (its label, track and text). */
  async toggleRecording() {
    await this.page.locator('label.switch').click();
  }

  /** List rows, newest first. */
  get rows(): Locator {
    return this.page.locator('.conv-row');
  }

  row(title: string | RegExp): Locator {
    return this.rows.filter({ hasText: title });
  }

  async openConversation(title: string | RegExp) {
    await this.row(title).first().click();
    await this.page.getByRole('tab', { name: /Timeline/ }).waitFor();
  }

  tab(name: 'Timeline' | 'Turns' | 'Checks' | 'Message tree'): Locator {
    return this.page.getByRole('tab', { name: new RegExp(`^${name}`) });
  }

  get timelineRows(): Locator {
    return this.page.locator('.tl-row');
  }

  /** "1 prompt_library", "2 ces"… as shown, in order. */
  async timelineLabels(): Promise<string[]> {
    const names = await this.page.locator('.tl-row .tl-name').allInnerTexts();
    return names.map((n) => n.replace(/\s+/g, ' ').trim());
  }

  /** Group headers: "Turn 1 new chat …". */
  async groupTitles(): Promise<string[]> {
    return (await this.page.locator('.tl-group').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  details(): Locator {
    return this.page.getByRole('complementary', { name: /Details of/ });
  }

  latencyCard(turn: number): Locator {
    return this.page.getByRole('region', { name: `Latency of turn ${turn}` });
  }

  /** Cells of one latency row: [measured, lat/r, difference]. */
  async latencyRow(turn: number, metric: string | RegExp): Promise<string[]> {
    const row = this.latencyCard(turn).locator('tr', {
      has: this.page.getByRole('rowheader', { name: metric }),
    });
    return row.locator('td').allInnerTexts();
  }

  turn(n: number): Locator {
    return this.page.locator(`article[data-turn="${n - 1}"]`);
  }

  replyText(turn: number): Locator {
    return this.page.locator(`[data-turn-reply="${turn - 1}"]`);
  }

  get failedChecks(): Locator {
    return this.page.locator('.check-fail');
  }

  /**
   * Starts recording, in the page, when the reply text of a turn changes: [Date.now(), text length] on
   * every DOM mutation of the turns panel (the reply span may be replaced as it grows).
   */
  async watchReply(turn: number): Promise<void> {
    await this.page.evaluate(
      (sel) => {
        const w = window as unknown as { __replyLog: [number, number][] };
        w.__replyLog = [];
        const read = () => {
          const el = document.querySelector(sel);
          const text = el?.querySelector('.muted') ? '' : (el?.textContent ?? '');
          const last = w.__replyLog[w.__replyLog.length - 1];
          if (!last || last[1] !== text.length) w.__replyLog.push([Date.now(), text.length]);
        };
        read();
        new MutationObserver(read).observe(document.body, {
          subtree: true,
          childList: true,
          characterData: true,
        });
      },
      `[data-turn-reply="${turn - 1}"]`,
    );
  }

  /** What `watchReply` saw: when (epoch ms) the reply reached each length. */
  replyLog(): Promise<[number, number][]> {
    return this.page.evaluate(() => (window as unknown as { __replyLog: [number, number][] }).__replyLog);
  }
}
