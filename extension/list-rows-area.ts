/**
 * Where the background keeps the list's newest rows (src/store/list-rows.ts): the extension's session
 * storage. In memory (no database to open, so the popup reads them at once even when the database files
 * are closed), kept across service-worker restarts, cleared when the browser closes (the background
 * builds them again when it starts). Its default access level lets only the extension's own pages and
 * worker read it: not content scripts, and so neither the recorded page nor its `storage.onChanged`.
 */
import type { RowsArea } from '../src/store/list-rows';
import { browser } from './browser';

/** The session storage key of the rows. */
export const LIST_ROWS_KEY = 'cfr:list-rows';

export const sessionRows: RowsArea = {
  async read() {
    return (await browser.storage.session.get(LIST_ROWS_KEY))[LIST_ROWS_KEY];
  },
  async write(rows) {
    await browser.storage.session.set({ [LIST_ROWS_KEY]: rows });
  },
  async remove() {
    await browser.storage.session.remove(LIST_ROWS_KEY);
  },
};
