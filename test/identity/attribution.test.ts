// Attribution end to end over a real store: ledger rows from every minting call, chains, late delivery.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/domain/event.js';
import type { JsonObject } from '../../src/domain/json.js';
import { attachIdentity } from '../../src/pipeline/identity.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { createLocalSource } from '../../src/sources/local/files.js';
import { openDuckDbStore } from '../../src/storage/duckdb/store.js';
import type { Store } from '../../src/storage/port.js';
import { callBy, iamUser, ownerCopy, roleSession, stsCall } from '../helpers/identity-records.js';
import { record } from '../helpers/records.js';

const root = mkdtempSync(path.join(tmpdir(), 'tw-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const alice = iamUser(A, 'alice', 'AKIAALICE');

describe('attribution', () => {
  let dir: string;
  let store: Store;
  let file = 0;
  beforeEach(async () => {
    dir = path.join(root, `case-${n++}`);
    mkdirSync(dir);
    store = await openDuckDbStore(path.join(dir, 'id.duckdb'));
  });
  afterEach(async () => {
    await store.close();
  });

  /** Ingests each group of records as its own file and batch, in the given order. */
  async function deliver(...groups: JsonObject[][]): Promise<void> {
    for (const records of groups) {
      const f = path.join(dir, `f${file++}.json`);
      writeFileSync(f, JSON.stringify({ Records: records }));
      const s = await ingest(store, [createLocalSource([f])]);
      expect(s.quarantined).toEqual({});
    }
  }

  async function resolved(eventId: string): Promise<StoredEvent> {
    const [e] = await attachIdentity(store, await store.searchEvents({ eventIds: [eventId] }));
    if (!e) throw new Error(`no event ${eventId}`);
    return e;
  }

  it('follows one hop from a role session to the IAM user who assumed the role', async () => {
    const assume = stsCall('AssumeRole', alice, 'ASIAHOP1', { account: A, role: 'Admin', session: 'alice' });
    const call = callBy(roleSession(A, 'Admin', 'alice', 'ASIAHOP1'), A);
    await deliver([assume, call]);
    const r = (await resolved(call.eventID as string)).resolution;
    expect(r?.origin).toEqual({
      type: 'IAMUser',
      id: `arn:aws:iam::${A}:user/alice`,
      name: 'alice',
      accountId: A,
    });
    expect(r).toMatchObject({ resolvedBy: 'access-key-chain', confidence: 'high', pendingKey: null });
    expect(r?.chain.map((h) => [h.eventId, h.kind, h.accessKeyId])).toEqual([
      [assume.eventID, 'AssumeRole', 'ASIAHOP1'],
    ]);
    expect((await store.credentials(['ASIAHOP1'])).get('ASIAHOP1')?.expiresAt).toBe(
      Date.parse('2024-05-01T13:00:00Z'),
    );
  });

  it('follows three hops across accounts, storing a cross-account link once from both copies', async () => {
    const hop1 = stsCall('AssumeRole', alice, 'ASIA1', { account: A, role: 'Jump', session: 'alice' });
    const jump = roleSession(A, 'Jump', 'alice', 'ASIA1');
    const hop2 = stsCall('AssumeRole', jump, 'ASIA2', {
      account: A,
      roleAccount: B,
      role: 'Deploy',
      session: 'alice',
      shared: 'shared-2',
    });
    const hop2Owner = ownerCopy(hop2, A, B);
    const deploy = roleSession(B, 'Deploy', 'alice', 'ASIA2');
    const hop3 = stsCall('AssumeRole', deploy, 'ASIA3', {
      account: B,
      roleAccount: C,
      role: 'Data',
      session: 'alice',
      shared: 'shared-3',
    });
    const call = callBy(roleSession(C, 'Data', 'alice', 'ASIA3'), C, 'GetObject');
    // the role owner's copy arrives before the caller's copy
    const hop3Owner = ownerCopy(hop3, B, C);
    await deliver([hop1], [hop2Owner], [hop2, hop3, hop3Owner, call]);
    const r = (await resolved(call.eventID as string)).resolution;
    expect(r?.origin.name).toBe('alice');
    expect(r?.resolvedBy).toBe('access-key-chain');
    expect(r?.chain.map((h) => [h.eventId, h.accountId])).toEqual([
      [hop1.eventID, A],
      [hop2.eventID, B],
      [hop3.eventID, C],
    ]);
    const row = (await store.credentials(['ASIA2'])).get('ASIA2');
    expect(row?.eventId).toBe(hop2.eventID); // the caller's copy, which names the caller
    expect(row?.sharedEventId).toBe('shared-2');
    // the owner's copy of the call is attributed to the caller too
    expect((await resolved(hop2Owner.eventID as string)).resolution?.origin.name).toBe('alice');
    const byOrigin = await store.searchEvents({ origins: ['alice'] });
    expect(byOrigin.map((e) => e.eventId).sort()).toEqual(
      [hop1, hop2, hop2Owner, hop3, hop3Owner, call].map((e) => e.eventID as string).sort(),
    );
    // The counts read the origin's rows another way (one SELECT per branch of the condition).
    expect((await store.summarizeEvents({ origins: ['alice'] }, [])).count).toBe(6);
  });

  it('fixes earlier events when the AssumeRole that issued their key arrives late', async () => {
    const hop1 = stsCall('AssumeRole', alice, 'ASIAL1', { account: A, role: 'Jump', session: 'alice' });
    const hop2 = stsCall('AssumeRole', roleSession(A, 'Jump', 'alice', 'ASIAL1'), 'ASIAL2', {
      account: A,
      role: 'Ops',
      session: 'ops',
    });
    const call = callBy(roleSession(A, 'Ops', 'ops', 'ASIAL2'), A);
    // The explorer remembers which rows an origin matched (storage/duckdb/hits.ts): asked before each
    // hop arrives, it must not answer from what it knew before.
    const byAlice = async () => (await store.searchEvents({ origins: ['alice'] })).map((e) => e.eventId);
    const countAlice = async () => (await store.summarizeEvents({ origins: ['alice'] }, [])).count;
    await deliver([call]);
    expect(await byAlice()).toEqual([]);
    const before = (await resolved(call.eventID as string)).resolution;
    expect(before).toMatchObject({ resolvedBy: 'unresolved', confidence: 'none', pendingKey: 'ASIAL2' });
    expect(before?.detail).toContain('ASIAL2');
    await deliver([hop2]);
    expect(await countAlice()).toBe(0);
    const middle = (await resolved(call.eventID as string)).resolution;
    expect(middle).toMatchObject({ resolvedBy: 'unresolved', pendingKey: 'ASIAL1' });
    await deliver([hop1]);
    const after = (await resolved(call.eventID as string)).resolution;
    expect(after).toMatchObject({
      resolvedBy: 'access-key-chain',
      pendingKey: null,
      origin: { name: 'alice' },
    });
    expect(after?.chain.map((h) => h.eventId)).toEqual([hop1.eventID, hop2.eventID]);
    expect((await byAlice()).sort()).toEqual([hop1.eventID, hop2.eventID, call.eventID].sort());
    expect(await countAlice()).toBe(3);
  });

  it('attributes GetSessionToken and GetFederationToken sessions to the IAM user', async () => {
    const bob = iamUser(A, 'bob', 'AKIABOB');
    const token = stsCall('GetSessionToken', bob, 'ASIABOBMFA', { account: A });
    const withToken = callBy({ ...bob, accessKeyId: 'ASIABOBMFA' }, A);
    const fed = stsCall('GetFederationToken', bob, 'ASIAFED', { account: A, session: 'contractor' });
    const federated = callBy(
      {
        type: 'FederatedUser',
        principalId: `${A}:contractor`,
        arn: `arn:aws:sts::${A}:federated-user/contractor`,
        accountId: A,
        accessKeyId: 'ASIAFED',
        sessionContext: {
          sessionIssuer: {
            type: 'IAMUser',
            arn: `arn:aws:iam::${A}:user/bob`,
            userName: 'bob',
            accountId: A,
          },
        },
      },
      A,
    );
    await deliver([token, withToken, fed, federated]);
    const t = (await resolved(withToken.eventID as string)).resolution;
    expect(t).toMatchObject({ origin: { name: 'bob' }, resolvedBy: 'access-key-chain' });
    expect(t?.chain.map((h) => h.kind)).toEqual(['GetSessionToken']);
    const f = (await resolved(federated.eventID as string)).resolution;
    expect(f).toMatchObject({ origin: { name: 'bob', type: 'IAMUser' }, resolvedBy: 'access-key-chain' });
    expect(f?.chain.map((h) => [h.kind, h.arn])).toEqual([
      ['GetFederationToken', `arn:aws:sts::${A}:federated-user/contractor`],
    ]);
  });

  it('records CreateAccessKey as a long-term key of its user, created by someone else', async () => {
    const bob = iamUser(A, 'bob', 'AKIABOB');
    const create = record({
      eventID: 'create-key',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      userIdentity: bob,
      recipientAccountId: A,
      requestParameters: { userName: 'backup' },
      responseElements: { accessKey: { accessKeyId: 'AKIABACKUP', status: 'Active', userName: 'backup' } },
    });
    const use = callBy(iamUser(A, 'backup', 'AKIABACKUP'), A);
    await deliver([create, use]);
    const row = (await store.credentials(['AKIABACKUP'])).get('AKIABACKUP');
    expect(row).toMatchObject({ kind: 'CreateAccessKey', targetArn: `arn:aws:iam::${A}:user/backup` });
    expect(row?.caller.userName).toBe('bob');
    // the key's own events are the user's, who is the origin of what they do
    expect((await resolved(use.eventID as string)).resolution).toMatchObject({
      origin: { name: 'backup' },
      resolvedBy: 'self',
    });
  });

  it('attributes SAML, web identity and Identity Center users', async () => {
    const saml = stsCall(
      'AssumeRoleWithSAML',
      {
        type: 'SAMLUser',
        principalId: 'idp:carol@example.com',
        userName: 'carol@example.com',
        identityProvider: 'arn:aws:iam::111111111111:saml-provider/Okta',
      },
      'ASIASAML',
      {
        account: A,
        role: 'AWSReservedSSO_Admin_abc',
        session: 'carol@example.com',
        response: { subject: 'carol@example.com' },
      },
    );
    const samlCall = callBy(roleSession(A, 'AWSReservedSSO_Admin_abc', 'carol@example.com', 'ASIASAML'), A);
    const icUser = callBy(
      {
        type: 'IdentityCenterUser',
        accountId: A,
        onBehalfOf: {
          userId: 'u-123',
          identityStoreArn: 'arn:aws:identitystore::111111111111:identitystore/d-1',
        },
        credentialId: 'c',
      },
      A,
      'ListAccounts',
    );
    await deliver([saml, samlCall, icUser]);
    expect((await resolved(samlCall.eventID as string)).resolution).toMatchObject({
      origin: { type: 'SAMLUser', name: 'carol@example.com' },
      resolvedBy: 'access-key-chain',
    });
    expect((await resolved(icUser.eventID as string)).resolution).toMatchObject({
      origin: {
        type: 'IdentityCenterUser',
        name: 'u-123',
        id: 'arn:aws:identitystore::111111111111:identitystore/d-1/u-123',
      },
      resolvedBy: 'self',
    });
  });

  it('marks conventions and fallbacks when no issuing event is known', async () => {
    const sso = callBy(
      {
        ...roleSession(A, 'AWSReservedSSO_ReadOnly_0123', 'dana@example.com', 'ASIASSO'),
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:aws:iam::${A}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_0123`,
            userName: 'AWSReservedSSO_ReadOnly_0123',
            accountId: A,
          },
        },
      },
      A,
    );
    const instance = callBy(
      roleSession(A, 'WebServer', 'i-0abc123def4567890', 'ASIAEC2', { ec2RoleDelivery: '2.0' }),
      A,
    );
    const lambda = callBy(
      {
        ...roleSession(A, 'fn-role', 'thumbnailer', 'ASIALAMBDA'),
        inScopeOf: {
          issuerType: 'AWS::Lambda::Function',
          credentialsIssuedTo: `arn:aws:lambda:us-east-1:${A}:function:thumbnailer`,
        },
      },
      A,
    );
    const withSource = callBy(roleSession(A, 'Ops', 'x', 'ASIASRC', { sourceIdentity: 'erin' }), A);
    // an identity-enhanced session (trusted identity propagation) names the Identity Center user
    const enhanced = callBy(
      {
        ...roleSession(A, 'Analytics', 'q', 'ASIATIP'),
        onBehalfOf: {
          userId: 'u-777',
          identityStoreArn: 'arn:aws:identitystore::111111111111:identitystore/d-1',
        },
      },
      A,
    );
    const unknown = callBy(roleSession(A, 'Ops', 'session1', 'ASIAUNK'), A);
    await deliver([sso, instance, lambda, withSource, enhanced, unknown]);
    expect((await resolved(enhanced.eventID as string)).resolution).toMatchObject({
      origin: { type: 'IdentityCenterUser', name: 'u-777' },
      resolvedBy: 'identity-center',
      confidence: 'high',
    });
    expect((await resolved(sso.eventID as string)).resolution).toMatchObject({
      origin: { type: 'IdentityCenterUser', name: 'dana@example.com' },
      resolvedBy: 'session-name',
      confidence: 'medium',
      pendingKey: 'ASIASSO',
    });
    expect((await resolved(instance.eventID as string)).resolution).toMatchObject({
      origin: { type: 'EC2Instance', id: 'i-0abc123def4567890' },
      resolvedBy: 'instance-profile',
      confidence: 'medium',
    });
    expect((await resolved(lambda.eventID as string)).resolution).toMatchObject({
      origin: {
        type: 'AWSService',
        name: 'thumbnailer',
        id: `arn:aws:lambda:us-east-1:${A}:function:thumbnailer`,
      },
      resolvedBy: 'service-principal',
      confidence: 'medium',
    });
    expect((await resolved(withSource.eventID as string)).resolution).toMatchObject({
      origin: { type: 'SourceIdentity', name: 'erin' },
      resolvedBy: 'source-identity',
    });
    const u = (await resolved(unknown.eventID as string)).resolution;
    expect(u).toMatchObject({ origin: { type: 'Unknown' }, resolvedBy: 'unresolved', confidence: 'none' });
    expect(u?.chain).toHaveLength(1);
    expect(u?.chain[0]?.eventId).toBeNull();
    // fallbacks are searchable by the origin they name
    expect((await store.searchEvents({ origins: ['dana@example.com'] })).map((e) => e.eventId)).toEqual([
      sso.eventID,
    ]);
    expect((await store.searchEvents({ origins: ['i-0abc123def4567890'] })).map((e) => e.eventId)).toEqual([
      instance.eventID,
    ]);
    for (const origin of ['dana@example.com', 'i-0abc123def4567890', 'erin'])
      expect((await store.summarizeEvents({ origins: [origin] }, [])).count, origin).toBe(1);
  });

  it('attributes instance-profile sessions issued by EC2 to the instance, with high confidence', async () => {
    const issue = stsCall('AssumeRole', { type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, 'ASIAEC2B', {
      account: A,
      role: 'WebServer',
      session: 'i-0fedcba9876543210',
    });
    const call = callBy(roleSession(A, 'WebServer', 'i-0fedcba9876543210', 'ASIAEC2B'), A);
    await deliver([issue, call]);
    expect((await resolved(call.eventID as string)).resolution).toMatchObject({
      origin: { type: 'EC2Instance', id: 'i-0fedcba9876543210' },
      resolvedBy: 'instance-profile',
      confidence: 'high',
    });
  });
});
