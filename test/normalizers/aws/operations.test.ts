import { describe, expect, it } from 'vitest';
import { awsOperation, otherServiceReason, SECRET_SERVICE_HOSTS } from '../../../normalizers/aws/operations.js';

const SM = 'secretsmanager.amazonaws.com';
const SSM = 'ssm.amazonaws.com';

describe('awsOperation', () => {
  it('maps Secrets Manager reads, metadata and enumeration', () => {
    expect(awsOperation(SM, 'GetSecretValue', {})).toMatchObject({ service: 'secretsmanager', action: 'read', ids: 'secretId' });
    expect(awsOperation(SM, 'BatchGetSecretValue', {})).toMatchObject({ action: 'batch_read', ids: 'secretIdList' });
    for (const name of ['DescribeSecret', 'ListSecretVersionIds', 'GetResourcePolicy']) {
      expect(awsOperation(SM, name, {})).toMatchObject({ action: 'describe', ids: 'secretId' });
    }
    expect(awsOperation(SM, 'ListSecrets', {})).toMatchObject({ action: 'list', ids: 'none' });
  });

  it('counts Secrets Manager writes and service events as unrelated', () => {
    for (const name of ['PutSecretValue', 'CreateSecret', 'RotateSecret', 'RotationFailed', 'GetRandomPassword']) {
      expect(awsOperation(SM, name, {})).toBe(`not_a_read:${name}`);
    }
  });

  it('SSM: decryption makes a read; absent withDecryption means false', () => {
    const dec = { requestParameters: { withDecryption: true } };
    expect(awsOperation(SSM, 'GetParameter', dec)).toEqual({ service: 'ssm', action: 'read', ids: 'name', decrypted: true });
    expect(awsOperation(SSM, 'GetParameter', {})).toEqual({ service: 'ssm', action: 'describe', ids: 'name', decrypted: false });
    expect(awsOperation(SSM, 'GetParameters', dec)).toEqual({ service: 'ssm', action: 'read', ids: 'names', decrypted: true });
    expect(awsOperation(SSM, 'GetParameters', { requestParameters: { withDecryption: false } })).toMatchObject({ action: 'describe', decrypted: false });
    expect(awsOperation(SSM, 'GetParametersByPath', dec)).toMatchObject({ action: 'read', ids: 'path', decrypted: true });
    expect(awsOperation(SSM, 'GetParametersByPath', { requestParameters: null })).toMatchObject({ action: 'list', decrypted: false });
    expect(awsOperation(SSM, 'GetParameterHistory', dec)).toMatchObject({ action: 'read', ids: 'name' });
    expect(awsOperation(SSM, 'GetParameterHistory', {})).toMatchObject({ action: 'describe' });
    // Stringified booleans from SIEM exports.
    expect(awsOperation(SSM, 'GetParameter', { requestParameters: { withDecryption: 'true' } })).toMatchObject({ action: 'read' });
    expect(awsOperation(SSM, 'GetParameter', { requestParameters: { withDecryption: 'yes' } })).toMatchObject({ action: 'describe' });
  });

  it('SSM: DescribeParameters is enumeration, writes are unrelated', () => {
    expect(awsOperation(SSM, 'DescribeParameters', {})).toEqual({ service: 'ssm', action: 'list', ids: 'none' });
    expect(awsOperation(SSM, 'PutParameter', {})).toBe('not_a_read:PutParameter');
    expect(awsOperation(SSM, 'SendCommand', {})).toBe('not_a_read:SendCommand');
  });

  it('KMS Decrypt on behalf of Secrets Manager has its own reason; other KMS calls are another service', () => {
    const bySm = { userIdentity: { type: 'AssumedRole', invokedBy: SM } };
    expect(awsOperation('kms.amazonaws.com', 'Decrypt', bySm)).toBe('kms_decrypt_for_secretsmanager');
    expect(awsOperation('kms.amazonaws.com', 'Decrypt', {})).toBe('other_service:kms.amazonaws.com');
    expect(awsOperation('kms.amazonaws.com', 'GenerateDataKey', bySm)).toBe('other_service:kms.amazonaws.com');
  });

  it('names the other service', () => {
    expect(awsOperation('s3.amazonaws.com', 'GetObject', {})).toBe('other_service:s3.amazonaws.com');
    expect(awsOperation('signin.amazonaws.com', 'ConsoleLogin', {})).toBe('other_service:signin.amazonaws.com');
    expect(otherServiceReason('s3.amazonaws.com')).toBe('other_service:s3.amazonaws.com');
  });

  it('SECRET_SERVICE_HOSTS: a record that names none of them is always another service', () => {
    expect([...SECRET_SERVICE_HOSTS].sort()).toEqual([SM, SSM]);
    // Every host awsOperation treats specially, with every operation and identity it looks at.
    const sources = [SM, SSM, 'kms.amazonaws.com', 's3.amazonaws.com', 'secretsmanager.amazonaws.com.cn', ''];
    const names = ['GetSecretValue', 'BatchGetSecretValue', 'ListSecrets', 'GetParameter', 'GetParameters', 'DescribeParameters', 'Decrypt', 'PutSecretValue'];
    const invokers = [undefined, SM, SSM, 'kms.amazonaws.com', 's3.amazonaws.com'];
    for (const source of sources) {
      for (const name of names) {
        for (const invokedBy of invokers) {
          const record = { userIdentity: { invokedBy }, requestParameters: { withDecryption: true } };
          const mentioned = SECRET_SERVICE_HOSTS.some((host) => source.includes(host) || invokedBy === host);
          if (!mentioned) expect(awsOperation(source, name, record)).toBe(otherServiceReason(source));
        }
      }
    }
  });
});
