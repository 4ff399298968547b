// Time formats CloudTrail mixes in one record: ISO event times, locale-style IAM/STS dates, key stamps.
export const SECOND = 1_000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2024-06-11T09:15:02Z`: eventTime and most other ISO fields carry no milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / SECOND) * SECOND).toISOString().replace('.000Z', 'Z');
}

/** `20240611T0915Z`: the delivery stamp in a log file name. */
export function keyStamp(ms: number): string {
  const d = new Date(ms);
  return `${dayStamp(ms)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** `20240611T091502Z`: the digest end stamp in a digest file name. */
export function digestStamp(ms: number): string {
  return `${keyStamp(ms).slice(0, -1)}${pad(new Date(ms).getUTCSeconds())}Z`;
}

/** `2024/06/11`: the date folders of the S3 layout. */
export function datePath(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

function dayStamp(ms: number): string {
  return datePath(ms).replaceAll('/', '');
}

/** `Jun 11, 2024, 9:15:02 AM`: IAM `createDate` and STS `expiration` are locale strings, not ISO. */
export function localeDate(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const time = `${hour12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
  return `${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${time}`;
}
