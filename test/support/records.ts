/** Small, realistic records for decoder tests (full-shape samples live in fixtures/). */
export function getSecretValue(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLE',
      arn: 'arn:aws:iam::123456789012:user/alice',
      accountId: '123456789012',
      accessKeyId: 'AKIAEXAMPLE',
      userName: 'alice',
    },
    eventTime: '2026-11-01T10:00:00Z',
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: { secretId: 'prod/db' },
    responseElements: null,
    eventID: 'e0000000-0000-4000-8000-000000000001',
    eventType: 'AwsApiCall',
    recipientAccountId: '123456789012',
    ...overrides,
  };
}
