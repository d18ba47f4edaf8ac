/**
 * Who is in the bundled demo (fixtures/demo/): the accounts, the twelve applications, the four
 * people, their addresses, their secrets and their clients. Normal traffic and the attacks are
 * both built from these, so the story stays consistent. Addresses are private ranges or the
 * RFC 5737 documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), never real hosts.
 */

export const DEMO_START_MS = Date.UTC(2026, 10, 2); // Monday 2026-11-02T00:00Z
export const DEMO_END_MS = Date.UTC(2026, 10, 5); // exclusive: three days
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const MINUTE_MS = 60_000;

export const AWS_PROD = { account: '123456789012', region: 'us-east-1' } as const;
/** A second account whose trail reaches us through a CloudWatch Logs subscription, not S3. */
export const AWS_DATA = { account: '444455556666', region: 'eu-west-1' } as const;

export const GCP_PROD = { projectId: 'acme-prod-372914', projectNumber: '480313561097' } as const;
/** Delivered through a Cloud Logging sink to Pub/Sub with a push subscription. */
export const GCP_DATA = { projectId: 'acme-data-118204', projectNumber: '912550447311' } as const;

export const AZURE = {
  subscription: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  tenantId: '5c1f7e2a-9b3d-4e8f-a6c2-7d1e9f0b3a54',
  location: 'eastus',
} as const;

export const UA = {
  javaSdk:
    'aws-sdk-java/2.25.60 Linux/5.10.217-205.860.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy',
  boto3:
    'Boto3/1.34.128 md/Botocore#1.34.128 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.4 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.128',
  jsSdkLambda:
    'aws-sdk-js/3.598.0 ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 lang/js md/nodejs#20.14.0 api/secrets-manager#3.598.0 exec-env/AWS_Lambda_nodejs20.x',
  cliCi: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1022-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#secretsmanager.get-secret-value',
  cliCiSsm: 'aws-cli/2.17.0 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1022-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/GitHubActions cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ssm.get-parameters',
  codebuild:
    'aws-sdk-go-v2/1.30.1 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/ssm#1.52.1 exec-env/AWS_CodeBuild',
  cliMac:
    'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#secretsmanager.get-secret-value',
  cliMacSsm:
    'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#ssm.get-parameters',
  gcpGoClient: 'google-api-go-client/0.5 checkout-api/3.14.2 grpc-go/1.64.0',
  gcpPython: 'grpc-python/1.62.2 gl-python/3.11.9 grpc/1.62.2 gax/2.19.1 gapic/2.20.0',
  gcpJava: 'grpc-java-netty/1.64.0 gl-java/17.0.11 gapic/2.42.0 gax/2.49.0 grpc/1.64.0',
  gcloud: 'google-cloud-sdk gcloud/487.0.0 command/gcloud.secrets.versions.access invocation-id/5a3f9c2e1b7d4e60 environment/None environment-version/None client-os/MACOSX client-os-ver/14.5.0 client-pltf-arch/arm',
  azNet: 'azsdk-net-Security.KeyVault.Secrets/4.6.0 (.NET 8.0.6; Ubuntu 22.04.4 LTS)',
  azPython: 'azsdk-python-keyvault-secrets/4.8.0 Python/3.11.9 (Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)',
  azJava: 'azsdk-java-azure-security-keyvault-secrets/4.8.3 (17.0.11; Linux; 5.15.0-1064-azure)',
  azCli: 'AZURECLI/2.61.0 (HOMEBREW) azsdk-python-core/1.30.1 Python/3.11.9 (macOS-14.5-arm64-arm-64bit)',
} as const;

/** An application with an AWS role: sessions rotate, the role and its addresses do not. */
export interface AwsApp {
  role: string;
  scope: typeof AWS_PROD | typeof AWS_DATA;
  ips: readonly string[];
  vpcEndpointId?: string;
  /** Session names: `{n}` is the session number (instance, task or run). */
  session: string;
  sessionHours: number;
  secrets: readonly string[];
  /** Minutes between two reads of its secrets (a cache refresh). */
  periodMin: number;
  userAgent: string;
  /** SSM parameters it reads with decryption on each deploy (deploy roles only). */
  ssmParameters?: readonly string[];
  /** A secret it is not allowed to read and tries once a day (AccessDenied). */
  deniedSecret?: string;
}

export const AWS_APPS: readonly AwsApp[] = [
  {
    role: 'payments-api',
    scope: AWS_PROD,
    ips: ['10.40.12.31', '10.40.13.77'],
    vpcEndpointId: 'vpce-0a1b2c3d4e5f67890',
    session: 'i-0{n}a7f3c9e2b14d5',
    sessionHours: 12,
    secrets: ['prod/payments/stripe-api-key', 'prod/payments/postgres'],
    periodMin: 30,
    userAgent: UA.javaSdk,
  },
  {
    role: 'orders-worker',
    scope: AWS_PROD,
    ips: ['203.0.113.10'],
    session: '{n}e4c1b2a9d8f7e6c5b4a3f2e1d0c9b8a',
    sessionHours: 6,
    secrets: ['prod/orders/postgres', 'prod/orders/rabbitmq'],
    periodMin: 30,
    userAgent: UA.boto3,
    deniedSecret: 'prod/payments/postgres',
  },
  {
    role: 'auth-service',
    scope: AWS_PROD,
    ips: ['203.0.113.11'],
    session: 'auth-service-token-{n}',
    sessionHours: 8,
    secrets: ['prod/auth/jwt-signing-key', 'prod/auth/google-oauth-client'],
    periodMin: 45,
    userAgent: UA.jsSdkLambda,
  },
  {
    role: 'github-actions-deploy',
    scope: AWS_PROD,
    ips: ['198.51.100.40', '198.51.100.41'],
    session: 'GitHubActions-98{n}412',
    sessionHours: 2,
    secrets: ['ci/dockerhub-token', 'ci/sentry-auth-token', 'ci/npm-publish-token'],
    periodMin: 120,
    userAgent: UA.cliCi,
    ssmParameters: ['/prod/payments/database-url', '/prod/orders/database-url', '/prod/shared/datadog-api-key'],
  },
  {
    role: 'codebuild-release',
    scope: AWS_PROD,
    ips: ['203.0.113.12'],
    session: 'AWSCodeBuild-7c2e{n}d4a',
    sessionHours: 4,
    secrets: ['ci/artifactory-password'],
    periodMin: 240,
    userAgent: UA.codebuild,
    ssmParameters: ['/prod/release/signing-key-passphrase', '/prod/shared/datadog-api-key'],
  },
  {
    role: 'reporting-batch',
    scope: AWS_DATA,
    ips: ['10.60.1.15'],
    vpcEndpointId: 'vpce-06f5e4d3c2b1a0987',
    session: 'reporting-batch-{n}',
    sessionHours: 24,
    secrets: ['data/redshift-admin', 'data/looker-api'],
    periodMin: 60,
    userAgent: UA.boto3,
  },
];

/** Every secret name in the production account: what the compromised CI role lists and reads. */
export const AWS_PROD_CATALOGUE: readonly string[] = (() => {
  const services = ['payments', 'orders', 'auth', 'search', 'billing', 'inventory', 'shipping', 'notifications', 'analytics', 'support'];
  const kinds = ['postgres', 'redis', 'api-key', 'webhook-secret', 'smtp', 'oauth-client'];
  const names: string[] = [];
  for (const s of services) for (const k of kinds) names.push(`prod/${s}/${k}`);
  return names;
})();

export interface GcpApp {
  email: string;
  project: typeof GCP_PROD | typeof GCP_DATA;
  ips: readonly string[];
  secrets: readonly string[];
  periodMin: number;
  userAgent: string;
}

export const GCP_APPS: readonly GcpApp[] = [
  {
    email: `checkout@${GCP_PROD.projectId}.iam.gserviceaccount.com`,
    project: GCP_PROD,
    ips: ['203.0.113.20'],
    secrets: ['checkout-adyen-api-key', 'checkout-redis-password'],
    periodMin: 60,
    userAgent: UA.gcpGoClient,
  },
  {
    email: `inventory-sync@${GCP_PROD.projectId}.iam.gserviceaccount.com`,
    project: GCP_PROD,
    ips: ['203.0.113.21'],
    secrets: ['inventory-erp-credentials'],
    periodMin: 90,
    userAgent: UA.gcpPython,
  },
  {
    email: `ml-pipeline@${GCP_DATA.projectId}.iam.gserviceaccount.com`,
    project: GCP_DATA,
    ips: ['203.0.113.22'],
    secrets: ['bigquery-export-key', 'huggingface-token'],
    periodMin: 120,
    userAgent: UA.gcpJava,
  },
];

export interface AzureApp {
  name: string;
  oid: string;
  appid: string;
  vault: string;
  resourceGroup: string;
  ips: readonly string[];
  secrets: readonly string[];
  periodMin: number;
  /** Hours a process lives: each new one starts with the SDK's 401-then-200 pair. */
  processHours: number;
  userAgent: string;
}

export const AZURE_APPS: readonly AzureApp[] = [
  {
    name: 'id-billing-worker',
    oid: '5f8e2b1c-7d4a-4c39-9e06-3b1a2f7c8d90',
    appid: 'e3a1c7d2-9b4f-4e58-a061-7c2d5b8f1e39',
    vault: 'kv-billing-prod',
    resourceGroup: 'billing-prod',
    ips: ['10.20.4.17'],
    secrets: ['sql-connection-string', 'invoice-signing-key'],
    periodMin: 60,
    processHours: 8,
    userAgent: UA.azNet,
  },
  {
    name: 'id-notifications',
    oid: 'a2c4e6f8-1b3d-4f5a-8c7e-9d0b2a4c6e8f',
    appid: '0b9d7f5e-3c1a-4e2b-9f8d-6a4c2e0b8d7f',
    vault: 'kv-platform-prod',
    resourceGroup: 'platform-prod',
    ips: ['10.20.5.40'],
    secrets: ['sendgrid-api-key', 'twilio-auth-token'],
    periodMin: 90,
    processHours: 12,
    userAgent: UA.azPython,
  },
  {
    name: 'id-search-indexer',
    oid: 'c7e9a1b3-5d2f-4a6c-8e0b-1f3d5a7c9e2b',
    appid: '6e4c2a0f-8d6b-4f9e-a7c5-3b1d9f7e5c3a',
    vault: 'kv-platform-prod',
    resourceGroup: 'platform-prod',
    ips: ['10.20.6.9'],
    secrets: ['elastic-api-key'],
    periodMin: 120,
    processHours: 24,
    userAgent: UA.azJava,
  },
];

/** People: they read in working hours only (UTC), a few times a day, from one address. */
export const HUMANS = {
  alice: { userName: 'alice.smith', ip: '198.51.100.23', secrets: ['prod/payments/stripe-api-key', 'prod/orders/rabbitmq', 'ci/sentry-auth-token'] },
  jorge: { userName: 'jorge.diaz', ip: '198.51.100.24', parameters: ['/prod/orders/database-url', '/prod/shared/datadog-api-key'] },
  maria: { email: 'maria.garcia@acme.example', ip: '192.0.2.15', secrets: ['checkout-adyen-api-key', 'inventory-erp-credentials'] },
  priya: {
    upn: 'priya.patel@acme.example',
    oid: '8c1b5d2e-7a4f-4e3b-9c6d-1f2a3b4c5d6e',
    appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', // the Azure CLI's public client id
    ip: '192.0.2.88',
    vault: 'kv-billing-prod',
    resourceGroup: 'billing-prod',
    secrets: ['sql-connection-string', 'invoice-signing-key'],
  },
} as const;

/** Working hours of the people above, UTC: they read between 09:00 and 17:00 only. */
export const HUMAN_HOURS = [9, 17] as const;
