// A realistic notification (alert JSON as alertToJson prints it) and a fixed clock for the sink tests.
import type { JsonObject } from '../../src/domain/json.js';
import { SinkError, type Notification } from '../../src/sinks/port.js';

/** The clock sinks are given: 2026-11-02T10:06:40Z. */
export const NOW = Date.parse('2026-11-02T10:06:40.000Z');
export const now = (): number => NOW;

export function sampleAlert(overrides: JsonObject = {}): JsonObject {
  return {
    id: 'a-7f3c',
    ruleId: 'aws-root-console-login',
    title: 'Root console login from 203.0.113.9',
    severity: 'high',
    status: 'open',
    tactics: ['TA0004'],
    techniques: ['T1078.004'],
    firstSeen: '2026-11-02T10:00:00.000Z',
    lastSeen: '2026-11-02T10:05:00.000Z',
    count: 3,
    groupKey: '123456789012',
    eventIds: ['e-1', 'e-2', 'e-3'],
    actor: {
      arn: 'arn:aws:iam::123456789012:root',
      origin: { type: 'Root', id: 'arn:aws:iam::123456789012:root', name: 'root', accountId: '123456789012' },
    },
    account: '123456789012',
    region: 'us-east-1',
    sourceIp: '203.0.113.9',
    runbook: 'Confirm with the account owner.',
    ...overrides,
  };
}

export function sampleNotification(
  overrides: Partial<Omit<Notification, 'alert'>> = {},
  alert: JsonObject = {},
): Notification {
  return {
    id: 'n-5d41402a',
    destination: 'test',
    kind: 'new',
    alert: sampleAlert(alert),
    url: 'https://trailwatch.example/alerts/a-7f3c',
    createdAt: NOW - 1000,
    ...overrides,
  };
}

/** The SinkError a send fails with (fails the test when it succeeds or throws something else). */
export async function sendError(send: Promise<void>): Promise<{ message: string; isRetryable: boolean }> {
  try {
    await send;
  } catch (error) {
    if (error instanceof SinkError) return { message: error.message, isRetryable: error.isRetryable };
    throw error;
  }
  throw new Error('expected the send to fail with a SinkError, but it succeeded');
}
