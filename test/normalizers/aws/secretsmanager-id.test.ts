import { describe, expect, it } from 'vitest';
import { canonicalSecretId } from '../../../normalizers/aws/secretsmanager-id.js';

const CANONICAL = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/payments-db';

describe('canonicalSecretId', () => {
  it('maps full ARN, partial ARN and bare name of one secret to one id', () => {
    expect(canonicalSecretId(`${CANONICAL}-Xy12Ab`, 'us-east-1', '111122223333', undefined)).toBe(CANONICAL);
    expect(canonicalSecretId(CANONICAL, 'us-east-1', '111122223333', undefined)).toBe(CANONICAL);
    expect(canonicalSecretId('prod/payments-db', 'us-east-1', '111122223333', undefined)).toBe(CANONICAL);
  });

  it('takes region and account from the ARN, not from the record, for ARNs', () => {
    const crossAccount = 'arn:aws:secretsmanager:eu-west-1:999988887777:secret:shared/key-AbCdEf';
    expect(canonicalSecretId(crossAccount, 'us-east-1', '111122223333', undefined)).toBe(
      'arn:aws:secretsmanager:eu-west-1:999988887777:secret:shared/key',
    );
  });

  it('keeps the partition of an ARN and derives it from the region for a name', () => {
    expect(canonicalSecretId('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:db-a1B2c3', 'cn-north-1', '1', undefined)).toBe(
      'arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:db',
    );
    expect(canonicalSecretId('db', 'cn-north-1', '111122223333', undefined)).toBe('arn:aws-cn:secretsmanager:cn-north-1:111122223333:secret:db');
    expect(canonicalSecretId('db', 'us-gov-west-1', '111122223333', undefined)).toBe(
      'arn:aws-us-gov:secretsmanager:us-gov-west-1:111122223333:secret:db',
    );
  });

  it('leaves region or account empty for a name when the record has none', () => {
    expect(canonicalSecretId('db', undefined, undefined, undefined)).toBe('arn:aws:secretsmanager:::secret:db');
  });

  it('strips only a suffix of exactly six letters or digits after the last dash', () => {
    const base = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:';
    expect(canonicalSecretId(`${base}stratus-red-team-retrieve-secret-18-4Rzn83`, 'r', 'a', undefined)).toBe(
      `${base}stratus-red-team-retrieve-secret-18`,
    );
    expect(canonicalSecretId(`${base}prod/db-passwd1`, 'r', 'a', undefined)).toBe(`${base}prod/db-passwd1`); // 7 chars
    expect(canonicalSecretId(`${base}prod/db-pass`, 'r', 'a', undefined)).toBe(`${base}prod/db-pass`); // 4 chars
    expect(canonicalSecretId(`${base}prod/db-ab_cde`, 'r', 'a', undefined)).toBe(`${base}prod/db-ab_cde`); // not alphanumeric
    expect(canonicalSecretId(`${base}-a1b2c3`, 'r', 'a', undefined)).toBe(`${base}-a1b2c3`); // no name before the dash
  });

  it('documents the heuristic limit: an unconfirmed partial ARN ending in a six-character word is truncated', () => {
    const partial = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-secret';
    expect(canonicalSecretId(partial, 'us-east-1', '111122223333', undefined)).toBe(
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:app',
    );
  });

  it('trusts responseElements.arn over the heuristic', () => {
    const partial = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:app-secret';
    const record = { responseElements: { arn: `${partial}-Q1w2E3` } };
    expect(canonicalSecretId(partial, 'us-east-1', '111122223333', record)).toBe(partial);
    // The full ARN itself, confirmed: stripped.
    expect(canonicalSecretId(`${partial}-Q1w2E3`, 'us-east-1', '111122223333', record)).toBe(partial);
  });

  it('trusts resources[] (ARN or arn key) over the heuristic', () => {
    const partial = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:db-backup';
    const upper = { resources: [{ type: 'AWS::KMS::Key', ARN: 'arn:aws:kms:us-east-1:1:key/x' }, { ARN: `${partial}-Zz9Yy8` }] };
    const lower = { resources: [{ arn: `${partial}-Zz9Yy8` }] };
    expect(canonicalSecretId(partial, 'us-east-1', '1', upper)).toBe(partial);
    expect(canonicalSecretId(partial, 'us-east-1', '1', lower)).toBe(partial);
  });

  it('treats a name ending in a dash and six characters as a name, never stripping it', () => {
    expect(canonicalSecretId('prod/test-secret-123456', 'eu-west-1', '123456789012', undefined)).toBe(
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/test-secret-123456',
    );
  });

  it('keeps ARNs of other services or shapes verbatim', () => {
    expect(canonicalSecretId('arn:aws:ssm:us-east-1:1:parameter/x-abcdef', 'r', 'a', undefined)).toBe('arn:aws:ssm:us-east-1:1:parameter/x-abcdef');
    expect(canonicalSecretId('arn:aws:secretsmanager:us-east-1:1:other:x-abcdef', 'r', 'a', undefined)).toBe(
      'arn:aws:secretsmanager:us-east-1:1:other:x-abcdef',
    );
    expect(canonicalSecretId('arn:aws:secretsmanager:us-east-1', 'r', 'a', undefined)).toBe('arn:aws:secretsmanager:us-east-1');
    expect(canonicalSecretId('arn:aws:secretsmanager:us-east-1:1:secret:', 'r', 'a', undefined)).toBe('arn:aws:secretsmanager:us-east-1:1:secret:');
  });
});
