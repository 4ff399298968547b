// Packs records into log files the way CloudTrail delivers them: per account and region, every 5–15
// minutes, named by delivery time; one record is delivered a second time in a later file.
import type { JsonObject } from '../domain/json.js';
import { datePath, keyStamp, MINUTE, SECOND } from './format.js';
import { ORG_ID } from './org.js';
import { ALPHANUMERIC, type Rng } from './random.js';

export interface DeliveredFile {
  key: string;
  records: JsonObject[];
  account: string;
  region: string;
  deliveredAt: number;
}

const field = (record: JsonObject, name: string): string => {
  const value = record[name];
  return typeof value === 'string' ? value : '';
};
export const eventTimeOf = (record: JsonObject): number => Date.parse(field(record, 'eventTime'));

function logKey(rng: Rng, account: string, region: string, deliveredAt: number): string {
  const name = `${account}_CloudTrail_${region}_${keyStamp(deliveredAt)}_${rng.chars(ALPHANUMERIC, 16)}.json.gz`;
  return `AWSLogs/${ORG_ID}/${account}/CloudTrail/${region}/${datePath(deliveredAt)}/${name}`;
}

function packGroup(rng: Rng, account: string, region: string, records: JsonObject[]): DeliveredFile[] {
  const sorted = [...records].sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
  const files: DeliveredFile[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i];
    if (!first) break;
    const windowEnd = eventTimeOf(first) + rng.int(5, 15) * MINUTE;
    const batch: JsonObject[] = [];
    for (let next = sorted[i]; next && eventTimeOf(next) < windowEnd; next = sorted[++i]) batch.push(next);
    const newest = eventTimeOf(batch.at(-1) ?? first);
    const deliveredAt = newest + rng.int(5 * 60, 15 * 60) * SECOND;
    files.push({
      key: logKey(rng, account, region, deliveredAt),
      records: batch,
      account,
      region,
      deliveredAt,
    });
  }
  return files;
}

/** Copies one ordinary record into the next file of its group, as CloudTrail occasionally does. */
function deliverTwice(rng: Rng, files: DeliveredFile[], protectedIds: ReadonlySet<string>): void {
  const ordinary = (file: DeliveredFile): JsonObject[] =>
    file.records.filter((r) => !protectedIds.has(field(r, 'eventID')));
  const candidates = files.filter((file, i) => {
    const next = files[i + 1];
    return (
      next !== undefined &&
      next.account === file.account &&
      next.region === file.region &&
      ordinary(file).length > 0
    );
  });
  // Some seeds and windows leave no file with a neighbour: then nothing is delivered twice.
  if (!candidates.length) return;
  const file = rng.pick(candidates);
  const next = files[files.indexOf(file) + 1];
  next?.records.push(structuredClone(rng.pick(ordinary(file))));
}

/**
 * Groups records into delivered files; `protectedIds` (the attack's records) are never the duplicate,
 * so every scenario event ID names exactly one record.
 */
export function deliverLogFiles(
  rng: Rng,
  records: readonly JsonObject[],
  protectedIds: ReadonlySet<string>,
): DeliveredFile[] {
  const groups = new Map<string, JsonObject[]>();
  for (const record of records) {
    const group = `${field(record, 'recipientAccountId')}/${field(record, 'awsRegion')}`;
    const members = groups.get(group);
    if (members) members.push(record);
    else groups.set(group, [record]);
  }
  const files = [...groups.keys()].sort().flatMap((group) => {
    const [account = '', region = ''] = group.split('/');
    return packGroup(rng, account, region, groups.get(group) ?? []);
  });
  deliverTwice(rng, files, protectedIds);
  return files.sort((a, b) => a.deliveredAt - b.deliveredAt || (a.key < b.key ? -1 : 1));
}
