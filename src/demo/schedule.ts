// When things happen: people keep (European) office hours on weekdays, machines run around the clock.
import { HOUR } from './format.js';
import type { Rng } from './random.js';

/** How busy people are at a UTC time, relative to an average hour of an average weekday. */
export function officeWeight(ms: number): number {
  const date = new Date(ms);
  const hour = date.getUTCHours();
  const isWeekend = date.getUTCDay() === 0 || date.getUTCDay() === 6;
  const base = hour >= 8 && hour < 17 ? 2.3 : hour === 7 || (hour >= 17 && hour < 20) ? 0.7 : 0.05;
  return isWeekend ? base * 0.12 : base;
}

/** Customer traffic: never zero, peaks in the European afternoon. */
export function trafficWeight(ms: number): number {
  const hour = new Date(ms).getUTCHours();
  return hour >= 7 && hour < 22 ? 1.4 : 0.4;
}

/**
 * Times of something that happens about `perDay` times a day, shaped by `weight` (mean about 1).
 * Whole expected counts per hour are kept, the fraction decides one more by chance.
 */
export function sampleTimes(
  rng: Rng,
  start: number,
  end: number,
  perDay: number,
  weight: (ms: number) => number = () => 1,
): number[] {
  const times: number[] = [];
  for (let hour = start; hour < end; hour += HOUR) {
    const span = Math.min(HOUR, end - hour);
    const expected = (perDay / 24) * weight(hour + span / 2) * (span / HOUR);
    let count = Math.floor(expected) + (rng.chance(expected - Math.floor(expected)) ? 1 : 0);
    for (; count > 0; count--) times.push(hour + Math.floor(rng.next() * span));
  }
  return times.sort((a, b) => a - b);
}

/** A periodic job: one time every `every` ms from `from`, each moved by up to `jitter` ms. */
export function ticks(rng: Rng, from: number, to: number, every: number, jitter: number): number[] {
  const times: number[] = [];
  for (let t = from; t < to; t += every) times.push(t + rng.int(0, jitter));
  return times.filter((t) => t < to);
}
