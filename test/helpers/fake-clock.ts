// A clock for pacing tests: time moves only when something sleeps on it.
import type { Clock } from '../../src/sources/cloudtrail/rate.js';

export function fakeClock(): Clock & { sleeps: number[] } {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: (ms) => {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}
