// The JSONL sink: one parseable line per notification, with its id, in a file whose directories it creates.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJsonlSink } from '../../src/sinks/jsonl.js';
import { now, sampleAlert, sampleNotification, sendError } from './fixtures.js';

describe('jsonl sink', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'trailwatch-jsonl-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends one JSON line per notification, creating the directories', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'alerts.jsonl');
    const sink = createJsonlSink({ name: 'archive', type: 'jsonl', path: file }, { now });
    await sink.send(sampleNotification());
    await sink.send(sampleNotification({ id: 'n-2', kind: 'update', url: null }, { count: 4 }));
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      {
        id: 'n-5d41402a',
        kind: 'new',
        alert: sampleAlert(),
        url: 'https://trailwatch.example/alerts/a-7f3c',
        sentAt: '2026-11-02T10:06:40.000Z',
      },
      {
        id: 'n-2',
        kind: 'update',
        alert: sampleAlert({ count: 4 }),
        url: null,
        sentAt: '2026-11-02T10:06:40.000Z',
      },
    ]);
  });

  it('appends to what is there, and writes a retried notification again under the same id', async () => {
    const file = path.join(dir, 'existing.jsonl');
    await writeFile(file, '{"id":"older"}\n');
    const sink = createJsonlSink({ name: 'archive', type: 'jsonl', path: file });
    await sink.send(sampleNotification());
    await sink.send(sampleNotification());
    const ids = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids).toEqual(['older', 'n-5d41402a', 'n-5d41402a']);
  });

  it('keeps concurrent lines whole', async () => {
    const file = path.join(dir, 'concurrent.jsonl');
    const sink = createJsonlSink({ name: 'archive', type: 'jsonl', path: file });
    await Promise.all(Array.from({ length: 50 }, (_, i) => sink.send(sampleNotification({ id: `n-${i}` }))));
    const ids = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(ids.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `n-${i}`).sort());
  });

  it('makes a path below a file a SinkError that is not retryable', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'x');
    const sink = createJsonlSink({
      name: 'archive',
      type: 'jsonl',
      path: path.join(blocker, 'alerts.jsonl'),
    });
    const error = await sendError(sink.send(sampleNotification()));
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe(
      `Cannot append to ${path.join(blocker, 'alerts.jsonl')} (JSONL "archive"): ` +
        `EEXIST: file already exists, mkdir '${blocker}'`,
    );
  });
});
