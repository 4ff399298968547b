// The Resource column of event lists: what each kind of record yields.
import { describe, expect, it } from 'vitest';
import { resourceLabel } from '../../src/domain/resource-label.js';

const label = (resources: { arn: string | null }[], requestParameters: unknown): string | null =>
  resourceLabel({ resources, requestParameters: requestParameters as never });

describe('resourceLabel', () => {
  it('takes the first ARN the record names in resources', () => {
    expect(
      label([{ arn: null }, { arn: 'arn:aws:s3:::b/k' }, { arn: 'arn:aws:s3:::b' }], { bucketName: 'other' }),
    ).toBe('arn:aws:s3:::b/k');
  });

  it('falls back to the request parameter naming the resource, the most specific first', () => {
    expect(label([], { bucketName: 'exports', Host: 'exports.s3.amazonaws.com' })).toBe('exports');
    expect(label([], { name: '/app/db-password', roleName: 'Ops' })).toBe('Ops');
    expect(label([], { logGroupName: '/aws/lambda/f', logStreamName: 's' })).toBe('/aws/lambda/f');
    expect(label([], { name: '', detectorId: 'd-1' })).toBe('d-1');
  });

  it("names an EC2 call's first instance", () => {
    expect(label([], { instancesSet: { items: [{ instanceId: 'i-0abc' }, { instanceId: 'i-0def' }] } })).toBe(
      'i-0abc',
    );
  });

  it('is null when nothing names a resource, whatever the parameters hold', () => {
    expect(label([], null)).toBeNull();
    expect(label([], { maxResults: 50, filterSet: {} })).toBeNull();
    expect(label([], { bucketName: 42, instancesSet: { items: 'x' } })).toBeNull();
    expect(label([], ['bucketName'])).toBeNull();
  });
});
