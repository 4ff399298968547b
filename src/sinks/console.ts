// Console sink: one human-readable line per notification, to standard error unless told otherwise.
import { resolveDeps, type SinkDeps } from './deps.js';
import type { Notification, Sink } from './port.js';
import { consoleLine } from './text.js';

export interface ConsoleDestination {
  /** The destination's name, used by routes and in messages. */
  name: string;
  type: 'console';
}

export function createConsoleSink(config: ConsoleDestination, deps: SinkDeps = {}): Sink {
  const { write } = resolveDeps(deps);
  return {
    name: config.name,
    type: 'console',
    send(notification: Notification) {
      write(consoleLine(notification));
      return Promise.resolve();
    },
  };
}
