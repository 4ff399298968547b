// Retention through the CLI on a real store: prune (dry run too), ingest --retain, config retain, bad input.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { record } from '../helpers/records.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const DAY = 86_400_000;
const dir = mkdtempSync(path.join(tmpdir(), 'tw-prune-'));
const db = path.join(dir, 'store.duckdb');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const at = (ms: number): string => new Date(ms).toISOString();
function trail(name: string, files: Record<string, unknown[]>): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [file, records] of Object.entries(files))
    writeFileSync(path.join(folder, file), JSON.stringify({ Records: records }));
  return folder;
}
const run = (argv: string[]) => cli([...argv, '--db', db], { now: NOW, cwd: dir });
async function eventIds(): Promise<string[]> {
  const r = await run(['search', '--format', 'jsonl', '--limit', '1000']);
  return r.out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { eventId: string }).eventId)
    .sort();
}

describe('retention', () => {
  it('prunes old events, keeps alerts and checkpoints, and a re-ingest does not bring them back', async () => {
    const first = trail('first', {
      'old.json': [
        record({
          eventID: 'old-stop',
          eventTime: at(NOW - 500 * DAY),
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          readOnly: false,
          requestParameters: { name: 'org-trail' },
        }),
        record({ eventID: 'old-list', eventTime: at(NOW - 450 * DAY) }),
      ],
      'new.json': [record({ eventID: 'new-list', eventTime: at(NOW - 3_600_000) })],
    });
    expect((await run(['ingest', first])).code).toBe(0);
    expect(await eventIds()).toEqual(['new-list', 'old-list', 'old-stop']);

    const dry = await run(['prune', '--retain', '400d', '--dry-run', '--format', 'json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({
      events: 2,
      objectsEmptied: 1,
      isDryRun: true,
      cutoff: at(NOW - 400 * DAY),
    });
    expect(await eventIds()).toEqual(['new-list', 'old-list', 'old-stop']);

    const real = await run(['prune', '--retain', '400d']);
    expect(real.out).toContain('retention: deleted 2 events before 2023-03-28T12:00:00.000Z');
    expect(await eventIds()).toEqual(['new-list']);
    const alerts = await run(['alerts', '--format', 'jsonl', '--rule', 'cloudtrail-logging-stopped']);
    const [alert] = alerts.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventIds: string[]; firstSeen: string });
    expect(alert?.eventIds).toEqual(['old-stop']);
    expect(alert?.firstSeen).toBe(at(NOW - 500 * DAY));

    // The checkpoints stay: the next run over the same files reads nothing and stores nothing.
    const again = await run(['ingest', first]);
    expect(again.out).toContain('2 already stored, 0 read');
    expect(await eventIds()).toEqual(['new-list']);
  });

  it('ingest --retain prunes after storing, so old events just read do not survive the run', async () => {
    const second = trail('second', {
      'mixed.json': [
        record({ eventID: 'older', eventTime: at(NOW - 600 * DAY) }),
        record({ eventID: 'newer', eventTime: at(NOW - 60_000) }),
      ],
    });
    const r = await run(['ingest', second, '--retain', '400d']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('retention: deleted 1 events');
    expect(await eventIds()).toEqual(['new-list', 'newer']);
  });

  it('takes retain from the configuration, and refuses bad values with an example', async () => {
    writeFileSync(path.join(dir, 'trailwatch.yml'), 'retain: 1d\n');
    const byConfig = await run(['prune', '--dry-run', '--format', 'json']);
    expect(byConfig.code).toBe(0);
    expect(JSON.parse(byConfig.out)).toMatchObject({ events: 0, cutoff: at(NOW - DAY) });
    writeFileSync(path.join(dir, 'trailwatch.yml'), 'retain: 2w\n');
    const weeks = await run(['prune', '--dry-run', '--format', 'json']);
    expect(JSON.parse(weeks.out)).toMatchObject({ cutoff: at(NOW - 14 * DAY) });
    writeFileSync(path.join(dir, 'trailwatch.yml'), 'retain: 3h\n');
    const badConfig = await run(['prune']);
    expect(badConfig.code).toBe(2);
    expect(badConfig.err).toContain("'retain' is a duration of at least a day, e.g. retain: 400d");
    rmSync(path.join(dir, 'trailwatch.yml'));

    const noUnit = await run(['prune', '--retain', '400']);
    expect(noUnit.code).toBe(2);
    expect(noUnit.err).toContain('--retain 400: expected a duration such as 400d');
    const tooShort = await run(['ingest', path.join(dir, 'second'), '--retain', '2h']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.err).toContain('at least 1d');
    const none = await run(['prune']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('prune needs --retain D');
    // Nothing was lost to the refused commands.
    expect(await eventIds()).toEqual(['new-list', 'newer']);
  });
});
