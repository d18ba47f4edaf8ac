import { describe, expect, it } from 'vitest';
import { canonicalParameterId, canonicalParameterPathId } from '../../../normalizers/aws/ssm-parameter-id.js';

describe('canonicalParameterId', () => {
  it('writes a hierarchical name without its leading slash, as AWS does in resources[]', () => {
    expect(canonicalParameterId('/credentials/stratus-red-team/credentials-25', 'us-west-2', '111122223333')).toBe(
      'arn:aws:ssm:us-west-2:111122223333:parameter/credentials/stratus-red-team/credentials-25',
    );
  });

  it('maps a flat name, a slashed name and the ARN of one parameter to one id', () => {
    const id = 'arn:aws:ssm:us-east-1:111122223333:parameter/db-password';
    expect(canonicalParameterId('db-password', 'us-east-1', '111122223333')).toBe(id);
    expect(canonicalParameterId('/db-password', 'us-east-1', '111122223333')).toBe(id);
    expect(canonicalParameterId(id, 'eu-west-1', '999999999999')).toBe(id);
    expect(canonicalParameterId('arn:aws:ssm:us-east-1:111122223333:parameter//db-password', 'r', 'a')).toBe(id);
  });

  it('drops version and label selectors: versions are the same secret', () => {
    const id = 'arn:aws:ssm:us-east-1:111122223333:parameter/app/db';
    expect(canonicalParameterId('/app/db:3', 'us-east-1', '111122223333')).toBe(id);
    expect(canonicalParameterId('/app/db:prod', 'us-east-1', '111122223333')).toBe(id);
    expect(canonicalParameterId(`${id}:7`, 'us-east-1', '111122223333')).toBe(id);
  });

  it('uses the partition of the region for names', () => {
    expect(canonicalParameterId('x', 'cn-northwest-1', '1')).toBe('arn:aws-cn:ssm:cn-northwest-1:1:parameter/x');
  });

  it('keeps ARNs that are not parameters verbatim', () => {
    expect(canonicalParameterId('arn:aws:ssm:us-east-1:1:document/x', 'r', 'a')).toBe('arn:aws:ssm:us-east-1:1:document/x');
  });
});

describe('canonicalParameterPathId', () => {
  it('marks the subtree with /* whatever the trailing slash', () => {
    const id = 'arn:aws:ssm:eu-central-1:222233334444:parameter/app/prod/*';
    expect(canonicalParameterPathId('/app/prod/', 'eu-central-1', '222233334444')).toBe(id);
    expect(canonicalParameterPathId('/app/prod', 'eu-central-1', '222233334444')).toBe(id);
    expect(canonicalParameterPathId('app/prod//', 'eu-central-1', '222233334444')).toBe(id);
  });

  it('writes the root path as parameter/*', () => {
    expect(canonicalParameterPathId('/', 'us-east-1', '1')).toBe('arn:aws:ssm:us-east-1:1:parameter/*');
  });

  it('never equals the id of a parameter with the same name', () => {
    expect(canonicalParameterPathId('/app', 'r', 'a')).not.toBe(canonicalParameterId('/app', 'r', 'a'));
  });
});
