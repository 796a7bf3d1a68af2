/** `navigator.sendBeacon` (Statsig flushes with it when the page is hidden). */
import { quiet } from './body-reader';
import { like } from './native';
import type { Recorder } from './recorder';

/** Wraps `win.navigator.sendBeacon`, if the browser has it. */
export function wrapBeacon(rec: Recorder): void {
  const win = rec.win;
  const js = rec.js;
  // Replaced where it lives (Navigator.prototype in browsers), so `navigator` gets no own property.
  let owner: object | null = win.navigator;
  while (owner && !Object.hasOwn(owner, 'sendBeacon')) owner = Object.getPrototypeOf(owner);
  if (!owner) return;
  const nav = owner as Navigator;
  const origBeacon = nav.sendBeacon;
  if (typeof origBeacon !== 'function') return;
  nav.sendBeacon = like(
    {
      sendBeacon(this: Navigator, url: string | URL, data?: BodyInit | null) {
        const startTime = rec.now();
        // biome-ignore lint/complexity/noArguments: pass through exactly as given
        const queued: boolean = js.apply(origBeacon, this, arguments);
        try {
          if (rec.records(() => String(url))) {
            const callId = rec.newId();
            const started = rec.start(
              callId,
              'beacon',
              'POST',
              String(url),
              [],
              rec.body.snapshot(data ?? null),
              startTime,
            );
            void quiet(
              (async () => {
                if (started) await started;
                rec
                  .bodyRecorder(callId, 'bytes')
                  .end(queued ? 'complete' : 'error', queued ? undefined : 'beacon not queued');
              })(),
            );
            // A beacon is sent as the page goes away: do not wait for the usual flush.
            if (win.document.visibilityState === 'hidden') js.setTimeout(() => rec.flushNow(), 0);
          }
        } catch {}
        return queued;
      },
    }.sendBeacon,
    origBeacon,
  );
}
