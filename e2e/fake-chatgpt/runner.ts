import type { PageRequest } from '../../test/flows';

export interface StepResult {
  status: number;
  body: string;
  headers: [string, string][];
  error?: string;
}

/**
 * Runs a flow's requests in the page, like the ChatGPT app does: JSON bodies as strings, gzip Statsig
 * batches as bytes, the conversation stream read incrementally. Passed to page.evaluate, so it must be
 * self-contained. Returns what the page itself saw, to compare runs with and without the extension.
 */
export async function runSteps(steps: PageRequest[]): Promise<StepResult[]> {
  const results: StepResult[] = new Array(steps.length);
  const pending: Promise<void>[] = [];
  const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const one = async (s: PageRequest, i: number) => {
    const body = s.bodyBase64 ? b64(s.bodyBase64) : s.body;
    if (s.via === 'beacon') {
      const queued = navigator.sendBeacon(s.url, body ?? null);
      results[i] = { status: queued ? 0 : -1, body: '', headers: [] };
      return;
    }
    if (s.via === 'xhr') {
      results[i] = await new Promise<StepResult>((resolve) => {
        const x = new XMLHttpRequest();
        x.open(s.method, s.url);
        for (const [k, v] of s.headers) x.setRequestHeader(k, v);
        x.onloadend = () => resolve({ status: x.status, body: x.responseText, headers: [] });
        x.send(body ?? null);
      });
      return;
    }
    const ctrl = new AbortController();
    const init: RequestInit = { method: s.method, headers: s.headers, signal: ctrl.signal };
    if (body !== undefined) init.body = body;
    if (s.abortAfterMs !== undefined) setTimeout(() => ctrl.abort(), s.abortAfterMs);
    try {
      const res = await (s.asRequest ? fetch(new Request(s.url, init)) : fetch(s.url, init));
      // Read incrementally, as the app reads its stream.
      const reader = res.body!.getReader();
      const dec = new TextDecoder();
      let text = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      text += dec.decode();
      results[i] = { status: res.status, body: text, headers: [...res.headers.entries()] };
    } catch (err) {
      results[i] = { status: -1, body: '', headers: [], error: String((err as Error).name) };
    }
  };
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    const p = one(s, i);
    if (s.noWait) pending.push(p);
    else await p;
  }
  await Promise.all(pending);
  return results;
}
