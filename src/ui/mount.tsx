/** Renders the UI into a page (popup or full tab); the extension's entry files only pick the client. */
import { render } from 'preact';
import { App, type Mode } from './app';
import type { UiClient } from './client';
import './styles.css';

export function mount(root: HTMLElement, client: UiClient, mode: Mode) {
  document.body.classList.add(mode);
  render(<App client={client} mode={mode} />, root);
}
