import { describe, expect, it } from 'vitest';
import { awsPrincipal } from '../../../normalizers/aws/principal.js';

// userIdentity shapes from the AWS CloudTrail user guide (corpus fragments), completed into objects.
const assumedRole = {
  type: 'AssumedRole',
  principalId: 'AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName',
  arn: 'arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName',
  accountId: '123456789012',
  accessKeyId: '',
  sessionContext: {
    attributes: { mfaAuthenticated: 'false', creationDate: '20131102T010628Z' },
    sessionIssuer: {
      type: 'Role',
      principalId: 'AROAIDPPEZS35WEXAMPLE',
      arn: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
      accountId: '123456789012',
      userName: 'RoleToBeAssumed',
    },
  },
};

describe('awsPrincipal', () => {
  it('AssumedRole: the role is the id, the session name is kept apart, an empty access key is no credential', () => {
    expect(awsPrincipal(assumedRole, 'us-east-1')).toEqual({
      id: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
      type: 'role',
      class: 'standard',
      display_name: 'RoleToBeAssumed',
      session_name: 'MySessionName',
    });
  });

  it('AssumedRole without sessionContext: the role ARN is rebuilt from the STS ARN, partition included', () => {
    const { sessionContext: _ignored, ...bare } = assumedRole;
    expect(awsPrincipal(bare, 'us-east-1')).toMatchObject({
      id: 'arn:aws:iam::123456789012:role/RoleToBeAssumed',
      type: 'role',
      session_name: 'MySessionName',
    });
    const cn = { type: 'AssumedRole', arn: 'arn:aws-cn:sts::123456789012:assumed-role/Ops/alice' };
    expect(awsPrincipal(cn, 'cn-north-1')).toMatchObject({ id: 'arn:aws-cn:iam::123456789012:role/Ops', session_name: 'alice' });
  });

  it('AssumedRole with only a principalId: the session comes from after the colon', () => {
    expect(awsPrincipal({ type: 'AssumedRole', principalId: 'AROAEXAMPLE:bob' }, undefined)).toMatchObject({
      id: 'AROAEXAMPLE:bob',
      session_name: 'bob',
    });
  });

  it('IAMUser: ARN id, user name, access key', () => {
    const user = {
      type: 'IAMUser',
      principalId: 'AIDAJ45Q7YFFAREXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/Alice',
      accountId: '123456789012',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      userName: 'Alice',
    };
    expect(awsPrincipal(user, 'us-east-1')).toEqual({
      id: 'arn:aws:iam::123456789012:user/Alice',
      type: 'user',
      class: 'standard',
      display_name: 'Alice',
      credential_id: 'AKIAIOSFODNN7EXAMPLE',
    });
  });

  it('IAMUser without an ARN: the ARN is rebuilt from account and user name', () => {
    expect(awsPrincipal({ type: 'IAMUser', accountId: '1', userName: 'ops-admin' }, 'us-gov-east-1')).toEqual({
      id: 'arn:aws-us-gov:iam::1:user/ops-admin',
      type: 'user',
      class: 'high_privilege',
      display_name: 'ops-admin',
    });
  });

  it('Root: always high privilege, ARN rebuilt when absent', () => {
    const root = { type: 'Root', principalId: 'AIDACKCEVSQ6C2EXAMPLE', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333', accessKeyId: '' };
    expect(awsPrincipal(root, 'us-east-1')).toEqual({ id: 'arn:aws:iam::111122223333:root', type: 'root', class: 'high_privilege' });
    expect(awsPrincipal({ type: 'Root', accountId: '111122223333' }, undefined).id).toBe('arn:aws:iam::111122223333:root');
  });

  it('AWSService, and a service event with only invokedBy (no type)', () => {
    expect(awsPrincipal({ type: 'AWSService', invokedBy: 'appflow.amazonaws.com' }, 'r')).toEqual({
      id: 'appflow.amazonaws.com',
      type: 'aws_service',
      class: 'service_account',
    });
    expect(awsPrincipal({ accountId: '123456789012', invokedBy: 'secretsmanager.amazonaws.com' }, 'r')).toEqual({
      id: 'secretsmanager.amazonaws.com',
      type: 'aws_service',
      class: 'service_account',
    });
  });

  it('FederatedUser: the issuing user is the id, the federated name the session', () => {
    const federated = {
      type: 'FederatedUser',
      principalId: '123456789012:bob',
      arn: 'arn:aws:sts::123456789012:federated-user/bob',
      accountId: '123456789012',
      accessKeyId: 'ASIAFEDERATEDEXAMPLE',
      sessionContext: { sessionIssuer: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/broker', userName: 'broker' } },
    };
    expect(awsPrincipal(federated, 'r')).toEqual({
      id: 'arn:aws:iam::123456789012:user/broker',
      type: 'user',
      class: 'standard',
      display_name: 'broker',
      session_name: 'bob',
      credential_id: 'ASIAFEDERATEDEXAMPLE',
    });
    const { sessionContext: _ignored, ...noIssuer } = federated;
    expect(awsPrincipal(noIssuer, 'r').id).toBe('arn:aws:sts::123456789012:federated-user/bob');
  });

  it('WebIdentityUser: the provider-qualified principalId is the id (corpus fragment)', () => {
    const web = {
      type: 'WebIdentityUser',
      principalId: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id',
      userName: 'user-id',
      identityProvider: 'accounts.google.com',
    };
    expect(awsPrincipal(web, 'r')).toEqual({
      id: 'accounts.google.com:application-id.apps.googleusercontent.com:user-id',
      type: 'user',
      class: 'standard',
      display_name: 'user-id',
    });
    // Cognito: the principalId does not start with the provider, so it is qualified.
    expect(awsPrincipal({ type: 'WebIdentityUser', principalId: 'us-east-1:1111', identityProvider: 'cognito-identity.amazonaws.com' }, 'r').id).toBe(
      'cognito-identity.amazonaws.com:us-east-1:1111',
    );
    expect(awsPrincipal({ type: 'SAMLUser', userName: 'jdoe', identityProvider: 'arn:aws:iam::1:saml-provider/Okta' }, 'r').id).toBe(
      'arn:aws:iam::1:saml-provider/Okta:jdoe',
    );
  });

  it('AWSAccount: the calling account is the id, type unknown (corpus fragment)', () => {
    expect(awsPrincipal({ type: 'AWSAccount', principalId: 'AIDAJ45Q7YFFAREXAMPLE', accountId: '123456789012' }, 'r')).toEqual({
      id: '123456789012',
      type: 'unknown',
      class: 'standard',
    });
  });

  it('IdentityCenterUser: the Identity Store user id, with its credential id', () => {
    const user = { type: 'IdentityCenterUser', accountId: '1', onBehalfOf: { userId: '906a2d9c-1111', identityStoreArn: 'arn:aws:identitystore::1:identitystore/d-1' }, credentialId: 'cred-1' };
    expect(awsPrincipal(user, 'r')).toEqual({ id: '906a2d9c-1111', type: 'user', class: 'standard', credential_id: 'cred-1' });
  });

  it('missing or unknown identities are "unknown", never a throw', () => {
    expect(awsPrincipal(undefined, 'r')).toEqual({ id: 'unknown', type: 'unknown', class: 'standard' });
    expect(awsPrincipal({}, 'r')).toEqual({ id: 'unknown', type: 'unknown', class: 'standard' });
    expect(awsPrincipal({ type: 'Unknown', principalId: 'AIDAX' }, 'r')).toEqual({ id: 'AIDAX', type: 'unknown', class: 'standard' });
    expect(awsPrincipal({ type: 42, arn: ['x'], sessionContext: 'no', userName: null } as never, 'r').id).toBe('unknown');
  });

  it('classification memo never mixes two identities that share an id', () => {
    // Same id, different display names: each keeps its own class.
    expect(awsPrincipal({ type: 'AWSAccount', accountId: '555' }, 'r').class).toBe('standard');
    expect(awsPrincipal({ type: 'IAMUser', arn: '555', userName: 'admin' }, 'r').class).toBe('high_privilege');
    expect(awsPrincipal({ type: 'AWSAccount', accountId: '555' }, 'r').class).toBe('standard');
    expect(awsPrincipal({ type: 'AWSService', invokedBy: '555' }, 'r').class).toBe('service_account');
  });
});
