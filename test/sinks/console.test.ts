// The console sink: one readable line per notification, with terminal control characters neutralised.
import { describe, expect, it } from 'vitest';
import { createConsoleSink } from '../../src/sinks/console.js';
import { sampleNotification } from './fixtures.js';

describe('console sink', () => {
  const capture = () => {
    const lines: string[] = [];
    const sink = createConsoleSink({ name: 'stderr', type: 'console' }, { write: (t) => lines.push(t) });
    return { sink, lines };
  };

  it('writes severity, title, origin, account and link on one line', async () => {
    const { sink, lines } = capture();
    await sink.send(sampleNotification());
    await sink.send(sampleNotification({ kind: 'update', url: null }, { severity: 'critical', actor: {} }));
    expect(lines).toEqual([
      'HIGH  Root console login from 203.0.113.9 | origin root (Root) | account 123456789012 | https://trailwatch.example/alerts/a-7f3c\n',
      'CRITICAL (update)  Root console login from 203.0.113.9 | origin unknown | account 123456789012\n',
    ]);
  });

  it('turns control characters in attacker text into spaces', async () => {
    const { sink, lines } = capture();
    await sink.send(sampleNotification({}, { title: 'evil\u001b[2J\r\nFAKE LINE\u202e' }));
    expect(lines[0]).toContain('evil [2J  FAKE LINE  | origin');
    expect(lines[0]?.match(/\n/g)).toHaveLength(1);
  });
});
