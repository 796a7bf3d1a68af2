/**
 * Dev preview: the UI on generated data, without a browser extension. `npx vite src/ui/dev` and open the
 * printed URL; `?mode=tab` for the full-tab layout, `?conversations=1000` for a big store, `?live` to watch
 * a reply stream in.
 */
import { MockClient } from '../mock-client';
import { mount } from '../mount';
import { generateSample } from './sample-data';
import { streamInto } from './simulate';

const params = new URLSearchParams(location.search);
const conversations = Number(params.get('conversations') ?? 40);
const sample = generateSample({
  conversations,
  turns: (i) => (i === conversations - 2 ? 12 : 1 + (i % 4)),
  broken: (i) => i % 9 === 0,
});
const client = new MockClient({ calls: sample.calls, chunks: sample.chunks, tabCount: 57 });
mount(document.getElementById('root')!, client, params.get('mode') === 'tab' ? 'tab' : 'popup');
if (params.has('live')) streamInto(client, { seed: 7, startTime: Date.now() });
