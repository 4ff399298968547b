import { describe, expect, it } from 'vitest';
import { generateDemoTrail } from '../../src/demo/generate.js';
import { serializeDigest, serializeLogFile, sha256Hex } from '../../src/demo/serialize.js';
import type { JsonObject } from '../../src/domain/json.js';
import { at, END, recordsOf, text } from './helpers.js';

const DAY = 86_400_000;
const trail = generateDemoTrail({ end: END });
const records = recordsOf(trail);

describe('generateDemoTrail', () => {
  it('is deterministic for a seed and end time, and differs for another seed', () => {
    expect(generateDemoTrail({ end: END })).toEqual(trail);
    const other = generateDemoTrail({ end: END, seed: 7 });
    expect(other.files.map((f) => f.key)).not.toEqual(trail.files.map((f) => f.key));
    expect(recordsOf(other).map((r) => r['eventID'])).not.toEqual(records.map((r) => r['eventID']));
  });

  it('holds a few thousand records in a few hundred files', () => {
    expect(records.length).toBeGreaterThanOrEqual(3000);
    expect(records.length).toBeLessThanOrEqual(8000);
    expect(trail.files.length).toBeGreaterThan(100);
  });

  it('writes complete records with the right types', () => {
    for (const r of records) {
      expect(r['eventVersion']).toMatch(/^1\.(08|09|10|11)$/);
      expect(text(r, 'userIdentity.type')).not.toBe('');
      expect(r['eventTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r['eventSource']).toMatch(/\.amazonaws\.com$/);
      expect(typeof r['eventName']).toBe('string');
      expect(['us-east-1', 'eu-west-1', 'us-west-2']).toContain(r['awsRegion']);
      expect(typeof r['sourceIPAddress']).toBe('string');
      expect(typeof r['userAgent']).toBe('string');
      expect(r['eventID']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(typeof r['readOnly']).toBe('boolean');
      expect(['AwsApiCall', 'AwsConsoleSignIn']).toContain(r['eventType']);
      expect(r['managementEvent']).toBe(r['eventCategory'] === 'Management');
      expect(['Management', 'Data']).toContain(r['eventCategory']);
      expect(['111111111111', '222222222222', '333333333333']).toContain(r['recipientAccountId']);
      expect(r).toHaveProperty('requestParameters');
      expect(r).toHaveProperty('responseElements');
      if (r['eventType'] === 'AwsApiCall') expect(typeof r['requestID']).toBe('string');
      const isByService = text(r, 'sourceIPAddress').endsWith('.amazonaws.com');
      if (!isByService) expect(typeof at(r, 'tlsDetails.clientProvidedHostHeader')).toBe('string');
      if (r['eventCategory'] === 'Data' || r['eventSource'] === 'kms.amazonaws.com') {
        expect(Array.isArray(r['resources'])).toBe(true);
      }
    }
  });

  it('uses every kind of identity, with realistic IDs and keys', () => {
    const types = new Set(records.map((r) => text(r, 'userIdentity.type')));
    for (const type of [
      'IAMUser',
      'AssumedRole',
      'AWSService',
      'Root',
      'AWSAccount',
      'WebIdentityUser',
      'SAMLUser',
    ]) {
      expect(types).toContain(type);
    }
    const iamUsers = records.filter(
      (r) => text(r, 'userIdentity.type') === 'IAMUser' && text(r, 'userIdentity.accessKeyId'),
    );
    expect(iamUsers.some((r) => /^AKIA[A-Z2-7]{16}$/.test(text(r, 'userIdentity.accessKeyId')))).toBe(true);
    expect(iamUsers.every((r) => /^AIDA[A-Z2-7]{17}$/.test(text(r, 'userIdentity.principalId')))).toBe(true);
    const sessions = records.filter((r) => text(r, 'userIdentity.type') === 'AssumedRole');
    expect(sessions.every((r) => /^ASIA[A-Z2-7]{16}$/.test(text(r, 'userIdentity.accessKeyId')))).toBe(true);
    expect(
      sessions.every((r) =>
        text(r, 'userIdentity.sessionContext.sessionIssuer.arn').startsWith('arn:aws:iam::'),
      ),
    ).toBe(true);
    expect(
      sessions.some((r) =>
        /assumed-role\/AWSReservedSSO_\w+\/\w+@acme\.example$/.test(text(r, 'userIdentity.arn')),
      ),
    ).toBe(true);
    const instance = sessions.find((r) => /\/i-[0-9a-f]{17}$/.test(text(r, 'userIdentity.arn')));
    expect(text(instance, 'userIdentity.sessionContext.ec2RoleDelivery')).toBe('2.0');
    const service = records.find((r) => text(r, 'userIdentity.type') === 'AWSService');
    expect(text(service, 'userIdentity.invokedBy')).toMatch(/\.amazonaws\.com$/);
  });

  it('issues every role-session key in an earlier STS call, so attribution can join them', () => {
    const issued = new Map<string, number>();
    for (const r of records) {
      const key = text(r, 'responseElements.credentials.accessKeyId');
      if (key) issued.set(key, Math.min(issued.get(key) ?? Infinity, Date.parse(text(r, 'eventTime'))));
    }
    for (const r of records.filter((r) => text(r, 'userIdentity.type') === 'AssumedRole')) {
      const issuedAt = issued.get(text(r, 'userIdentity.accessKeyId'));
      expect(issuedAt).toBeDefined();
      expect(issuedAt).toBeLessThanOrEqual(Date.parse(text(r, 'eventTime')));
      expect(Date.parse(text(r, 'userIdentity.sessionContext.attributes.creationDate'))).toBe(issuedAt);
    }
  });

  it('keeps event times within [end - days, end]', () => {
    for (const days of [3, 1]) {
      const times = recordsOf(days === 3 ? trail : generateDemoTrail({ end: END, days })).map((r) =>
        Date.parse(text(r, 'eventTime')),
      );
      expect(Math.min(...times)).toBeGreaterThanOrEqual(END - days * DAY);
      expect(Math.max(...times)).toBeLessThanOrEqual(END);
    }
  });

  it('names files like an organization trail, delivered 5–15 minutes after their newest record', () => {
    const layout =
      /^AWSLogs\/o-a1b2c3d4e5\/(\d{12})\/CloudTrail\/([a-z0-9-]+)\/(\d{4})\/(\d\d)\/(\d\d)\/\1_CloudTrail_\2_(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)Z_[A-Za-z0-9]{16}\.json\.gz$/;
    for (const file of trail.files) {
      const m = layout.exec(file.key);
      expect(m, file.key).not.toBeNull();
      const [, account, region, y, mo, d, ky, kmo, kd, hh, mm] = m ?? [];
      expect([y, mo, d]).toEqual([ky, kmo, kd]);
      const deliveredAt = Date.parse(`${ky}-${kmo}-${kd}T${hh}:${mm}:00Z`);
      const newest = Math.max(...file.records.map((r) => Date.parse(text(r, 'eventTime'))));
      expect(deliveredAt).toBeGreaterThanOrEqual(newest);
      expect(deliveredAt - newest).toBeLessThanOrEqual(15 * 60_000);
      for (const r of file.records)
        expect([r['recipientAccountId'], r['awsRegion']]).toEqual([account, region]);
    }
  });

  it('repeats exactly one record, unchanged, in a later file', () => {
    const firstSeen = new Map<string, { file: number; record: JsonObject }>();
    const repeats: { first: number; later: number; original: JsonObject; copy: JsonObject }[] = [];
    trail.files.forEach((file, i) => {
      for (const record of file.records) {
        const first = firstSeen.get(text(record, 'eventID'));
        if (first) repeats.push({ first: first.file, later: i, original: first.record, copy: record });
        else firstSeen.set(text(record, 'eventID'), { file: i, record });
      }
    });
    expect(repeats).toHaveLength(1);
    const [repeat] = repeats;
    expect(repeat?.later).toBeGreaterThan(repeat?.first ?? Infinity);
    expect(repeat?.copy).toEqual(repeat?.original);
  });

  it('contains the oddities a parser must survive, and ordinary failures', () => {
    const hidden = records.find((r) => text(r, 'userIdentity.userName') === 'HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(hidden?.['eventName']).toBe('ConsoleLogin');
    expect(text(hidden, 'responseElements.ConsoleLogin')).toBe('Failure');
    expect(hidden?.['errorMessage']).toBe('No username found in supplied account');
    const codes = new Set(records.map((r) => r['errorCode']));
    for (const code of [
      'ThrottlingException',
      'Client.RequestLimitExceeded',
      'AccessDeniedException',
      'AccessDenied',
    ]) {
      expect(codes).toContain(code);
    }
    const mfaLogins = records.filter(
      (r) => r['eventName'] === 'ConsoleLogin' && text(r, 'additionalEventData.MFAUsed') === 'Yes',
    );
    expect(mfaLogins.length).toBeGreaterThan(1);
    expect(mfaLogins.every((r) => text(r, 'responseElements.ConsoleLogin') === 'Success')).toBe(true);
    expect(mfaLogins.every((r) => r['awsRegion'] === 'us-east-1')).toBe(true);
  });

  it('adds a chained pair of digest files whose hashes match the log files', () => {
    expect(trail.digests).toHaveLength(2);
    const byKey = new Map(trail.files.map((f) => [f.key, f]));
    for (const { key, digest } of trail.digests) {
      expect(key).toMatch(
        /^AWSLogs\/o-a1b2c3d4e5\/111111111111\/CloudTrail-Digest\/us-east-1\/\d{4}\/\d\d\/\d\d\/111111111111_CloudTrail-Digest_us-east-1_acme-org-trail_us-east-1_\d{8}T\d{6}Z\.json\.gz$/,
      );
      expect(digest).not.toHaveProperty('Records');
      expect(digest['digestS3Object']).toBe(key);
      expect(digest['digestSignatureAlgorithm']).toBe('SHA256withRSA');
      const logFiles = digest['logFiles'];
      expect(Array.isArray(logFiles)).toBe(true);
      for (const entry of Array.isArray(logFiles) ? logFiles : []) {
        const file = byKey.get(text(entry, 's3Object'));
        expect(file).toBeDefined();
        expect(text(entry, 'hashValue')).toBe(sha256Hex(serializeLogFile(file?.records ?? [])));
      }
    }
    const [first, second] = trail.digests;
    expect(first?.digest['previousDigestHashValue']).toBeNull();
    expect(second?.digest['previousDigestS3Object']).toBe(first?.key);
    expect(second?.digest['previousDigestHashValue']).toBe(sha256Hex(serializeDigest(first?.digest ?? {})));
    expect(second?.digest['digestStartTime']).toBe(first?.digest['digestEndTime']);
  });

  it('refuses a window shorter than a day', () => {
    expect(() => generateDemoTrail({ end: END, days: 0 })).toThrow(/at least 1/);
  });
});
