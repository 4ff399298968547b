// `trailwatch notify test|dispatch|status|retry`: destinations, the outbox and its dead letters.
import { closeSinks, createSinks, openStore, resolveDbPath } from '../app.js';
import { loadConfig } from '../config/load.js';
import type { JsonObject } from '../domain/json.js';
import { outboxItem } from '../engine/route.js';
import { dispatchDue } from '../pipeline/dispatch.js';
import type { Notification } from '../sinks/port.js';
import { oneOf, parse, STORE_OPTIONS } from './args.js';
import { EXIT, UsageError } from './errors.js';
import { isoTime, printable } from './format.js';
import type { Io } from './io.js';

export const NOTIFY_HELP = `Usage: trailwatch notify test <destination>     send a sample alert now
       trailwatch notify dispatch              deliver the notifications that are due
       trailwatch notify status [--format text|jsonl]   pending, dead and withdrawn notifications
       trailwatch notify retry <id>|--dead     send dead (or, by id, withdrawn) notifications again
A notification whose alert was suppressed before it could be delivered is withdrawn, not sent.
Destinations and routes come from the configuration file (--config, $TRAILWATCH_CONFIG or ./trailwatch.yml).
`;

const OPTIONS = {
  ...STORE_OPTIONS,
  format: { type: 'string' },
  dead: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function sampleAlert(now: number): JsonObject {
  const at = new Date(now).toISOString();
  return {
    id: 'test-alert',
    ruleId: 'trailwatch-notification-test',
    title: 'Trailwatch test notification: if you can read this, the destination works',
    severity: 'info',
    status: 'open',
    tactics: [],
    techniques: [],
    firstSeen: at,
    lastSeen: at,
    count: 1,
    groupKey: 'test',
    eventIds: [],
    actor: {
      arn: 'arn:aws:iam::111122223333:user/trailwatch-test',
      origin: {
        type: 'IAMUser',
        id: 'arn:aws:iam::111122223333:user/trailwatch-test',
        name: 'trailwatch-test',
        accountId: '111122223333',
      },
    },
    account: '111122223333',
    region: 'us-east-1',
    sourceIp: '198.51.100.7',
    runbook: 'Nothing to do: this is a test sent by trailwatch notify test.',
  };
}

export async function runNotify(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS);
  const [action, target] = positionals;
  if (values.help || !action) {
    io.out(NOTIFY_HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const config = loadConfig(values.config, io.env, io.cwd);
  if (action === 'test') {
    if (!target)
      throw new UsageError(
        `notify test needs a destination (configured: ${config.destinations.map((d) => d.name).join(', ') || 'none'})`,
      );
    const sinks = createSinks(config, io);
    const sink = sinks.get(target);
    if (!sink)
      throw new UsageError(
        `no destination named '${target}' in the configuration (configured: ${[...sinks.keys()].join(', ') || 'none'})`,
      );
    const now = io.now();
    const notification: Notification = {
      id: outboxItem('test-alert', target, '', now, 'test').id,
      destination: target,
      kind: 'test',
      alert: sampleAlert(now),
      url: config.uiBaseUrl ? `${config.uiBaseUrl}/alerts/test-alert` : null,
      createdAt: now,
    };
    try {
      await sink.send(notification);
      io.out(`sent a test notification to ${target} (${sink.type})\n`);
      return EXIT.ok;
    } catch (err) {
      io.err(`could not deliver to ${target}: ${(err as Error).message}\n`);
      return EXIT.readErrors;
    } finally {
      await closeSinks(sinks);
    }
  }
  if (!['dispatch', 'status', 'retry'].includes(action))
    throw new UsageError(`unknown notify action '${action}'\n\n${NOTIFY_HELP}`);
  const store = await openStore(resolveDbPath(values.db, io.env, io.cwd, config), io.now);
  try {
    if (action === 'dispatch') {
      const sinks = createSinks(config, io);
      try {
        const s = await dispatchDue(store, sinks, config.retry, io.now);
        io.out(
          `delivered ${s.delivered}, retrying later ${s.retrying}, dead ${s.dead}` +
            `${s.withdrawn ? `, withdrawn ${s.withdrawn} (alert suppressed)` : ''}\n`,
        );
        return s.dead ? EXIT.quarantined : EXIT.ok;
      } finally {
        await closeSinks(sinks);
      }
    }
    if (action === 'retry') {
      // A withdrawn one only by its id: its alert was suppressed, and is sent if it no longer is.
      const stopped = await store.notifications(values.dead ? ['dead'] : ['dead', 'withdrawn'], 100_000);
      const chosen = values.dead
        ? stopped
        : stopped.filter((n) => n.id === target || (target !== undefined && n.id.startsWith(target)));
      if (!chosen.length)
        throw new UsageError(
          values.dead
            ? 'no dead notifications'
            : `no dead or withdrawn notification ${target ?? ''} (see trailwatch notify status)`,
        );
      const at = io.now();
      for (const n of chosen)
        await store.recordDelivery(n.id, {
          status: 'pending',
          attempts: 0,
          nextAttemptAt: at,
          error: n.lastError,
          at,
        });
      io.out(
        `requeued ${chosen.length} notification${chosen.length === 1 ? '' : 's'}; trailwatch notify dispatch sends them\n`,
      );
      return EXIT.ok;
    }
    const format = oneOf(values.format, '--format', ['text', 'jsonl'] as const) ?? 'text';
    const items = await store.notifications(['pending', 'dead', 'withdrawn'], 10_000);
    for (const n of items) {
      if (format === 'jsonl') {
        const { payload: _payload, ...rest } = n;
        io.out(JSON.stringify(rest) + '\n');
      } else
        io.out(
          `${n.status.padEnd(9)} ${n.id}  ${n.destination}  alert ${n.alertId}  attempts ${n.attempts}` +
            `${n.status === 'pending' ? `  next ${isoTime(n.nextAttemptAt)}` : ''}${n.lastError ? `\n          ${printable(n.lastError)}` : ''}\n`,
        );
    }
    if (format === 'text')
      io.err(
        `${items.filter((n) => n.status === 'pending').length} pending, ${items.filter((n) => n.status === 'dead').length} dead, ${items.filter((n) => n.status === 'withdrawn').length} withdrawn\n`,
      );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
