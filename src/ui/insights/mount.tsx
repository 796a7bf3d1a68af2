/** Renders the Insights page (extension/insights/index.html); the entry file only picks the client. */
import { render } from 'preact';
import type { UiClient } from '../client';
import '../styles.css';
import { InsightsView } from './insights';

export function mountInsights(root: HTMLElement, client: UiClient) {
  document.body.classList.add('tab', 'insights-page');
  render(<InsightsView client={client} />, root);
}
