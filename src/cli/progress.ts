// A one-line progress display on a terminal: objects, events per second, ETA. Silent elsewhere.
import type { IngestProgress } from '../pipeline/ingest.js';
import type { Io } from './io.js';

export function progressReporter(io: Io): { update: (p: IngestProgress) => void; done: () => void } {
  if (!io.isTty) return { update: () => undefined, done: () => undefined };
  const started = io.now();
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = io.now();
      if (now - last < 200 && p.objectsDone < p.objectsTotal) return;
      last = now;
      const secs = Math.max(0.001, (now - started) / 1000);
      const rate = Math.round(p.eventsStored / secs);
      const fraction = p.bytesTotal
        ? p.bytesDone / p.bytesTotal
        : p.objectsDone / Math.max(1, p.objectsTotal);
      const eta = fraction > 0 ? Math.max(0, Math.round(secs / fraction - secs)) : null;
      io.err(
        `\r\x1b[2Kingest: ${p.objectsDone}/${p.objectsTotal} files · ${p.eventsStored.toLocaleString('en')} events · ` +
          `${rate.toLocaleString('en')} events/s${eta === null ? '' : ` · ETA ${eta}s`}`,
      );
      shown = true;
    },
    done() {
      if (shown) io.err('\r\x1b[2K');
    },
  };
}
