// Ingest progress on a terminal: files, events per second and ETA on one rewritten line; nothing elsewhere.
import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import type { Io } from '../../src/cli/io.js';

function io(isTty: boolean, clock: { now: number }): { io: Io; err: () => string } {
  let err = '';
  return {
    io: {
      out: () => undefined,
      err: (t) => void (err += t),
      stdin: process.stdin,
      env: {},
      isTty,
      now: () => clock.now,
      cwd: '/',
    },
    err: () => err,
  };
}

describe('progressReporter', () => {
  it('shows files, events/s and ETA on a terminal', () => {
    const clock = { now: 0 };
    const t = io(true, clock);
    const p = progressReporter(t.io);
    clock.now = 10_000;
    p.update({ objectsTotal: 100, objectsDone: 25, bytesTotal: 1000, bytesDone: 250, eventsStored: 50_000 });
    expect(t.err()).toContain('ingest: 25/100 files · 50,000 events · 5,000 events/s · ETA 30s');
    p.done();
    expect(t.err().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('prints nothing when stderr is not a terminal', () => {
    const clock = { now: 0 };
    const t = io(false, clock);
    const p = progressReporter(t.io);
    p.update({ objectsTotal: 1, objectsDone: 1, bytesTotal: null, bytesDone: 1, eventsStored: 1 });
    p.done();
    expect(t.err()).toBe('');
  });
});
