import { secretArn } from './cloudtrail.js';
import type { CloudTrailCall } from './cloudtrail.js';
import { DemoRandom, type DemoCall } from './demo-call.js';
import { AWS_APPS, AWS_DATA, AWS_PROD, AWS_PROD_CATALOGUE, DEMO_START_MS, GCP_APPS, GCP_PROD, HOUR_MS, HUMANS, UA } from './demo-cast.js';
import { gcpCall, kvCall, secretSuffix, secretVersion } from './demo-normal.js';

/**
 * The seven attacks of the demo, on days 2 and 3 (after the first-seen rules have learned), each
 * a story told in fixtures/demo/README.md with its expected alerts. Times are fixed to the second
 * so the README and the scenario test can name them.
 */
export function attackTraffic(): DemoCall[] {
  return [
    ...stratusDetonation(new DemoRandom(5006, 5006)),
    ...compromisedCiRole(new DemoRandom(5001, 5001)),
    ...developerDecryptsSsm(new DemoRandom(5002, 5002)),
    ...nightReadByPerson(new DemoRandom(5007, 5007)),
    ...enumerationFromVm(new DemoRandom(5003, 5003)),
    ...stolenLaptopCrossCloud(new DemoRandom(5004, 5004)),
    ...batchCatchAll(new DemoRandom(5005, 5005)),
  ];
}

const at = (iso: string): number => Date.parse(iso);

function ct(r: DemoRandom, channel: 's3' | 'cloudwatch', delayMs: number, call: Omit<CloudTrailCall, 'eventId'>): DemoCall {
  return { provider: 'aws', channel, delayMs, call: { ...call, eventId: r.eventId() } };
}

/** The role and settings of an application of the cast, by role name. */
function awsApp(role: string): (typeof AWS_APPS)[number] {
  const app = AWS_APPS.find((a) => a.role === role);
  if (app === undefined) throw new Error(`no AWS application ${role} in the cast`);
  return app;
}

/**
 * (a) Tuesday 14:52 UTC. A pull request's workflow leaks the GitHub Actions deploy role's session
 * credentials; from 203.0.113.199 (not a runner) someone lists the account's secrets and reads 60
 * of them in 8 minutes. CloudTrail delivers the last reads up to 14 minutes late, in the next file.
 */
export const CI_ATTACK = { ip: '203.0.113.199', start: at('2026-11-03T14:52:10Z'), secrets: 60 } as const;

function compromisedCiRole(r: DemoRandom): DemoCall[] {
  const app = awsApp('github-actions-deploy');
  const base = {
    account: AWS_PROD.account,
    region: AWS_PROD.region,
    // The session of the workflow run that leaked it: the same name the legitimate run logs.
    principal: { kind: 'role' as const, role: app.role, session: app.session.replace('{n}', String(Math.floor((CI_ATTACK.start - DEMO_START_MS) / (app.sessionHours * HOUR_MS)) + 1)) },
    sourceIp: CI_ATTACK.ip,
    userAgent:
      'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
    credentialKey: r.awsKey(),
  };
  const out: DemoCall[] = [ct(r, 's3', 4 * 60_000, { ...base, timeMs: CI_ATTACK.start, eventSource: 'secretsmanager.amazonaws.com', eventName: 'ListSecrets', requestParameters: { maxResults: 100 } })];
  const names = AWS_PROD_CATALOGUE.slice(0, CI_ATTACK.secrets);
  names.forEach((name, i) => {
    // 60 reads spread over 8 minutes: one every 8 s, a few ms of jitter.
    const timeMs = CI_ATTACK.start + 3_000 + i * 8_000 + r.int(0, 900);
    const late = i >= 40 ? r.int(10, 14) * 60_000 : r.int(3, 8) * 60_000;
    out.push(ct(r, 's3', late, { ...base, timeMs, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId: secretArn(AWS_PROD.account, AWS_PROD.region, name, secretSuffix(name)) } }));
  });
  return out;
}

/**
 * (b) Tuesday 16:42 UTC. Jorge, a developer who until now only looked parameters up without
 * decryption, reads SecureString parameters in plaintext, then the whole /prod/payments path.
 */
export const SSM_ATTACK = { start: at('2026-11-03T16:42:18Z') } as const;

function developerDecryptsSsm(r: DemoRandom): DemoCall[] {
  const who = HUMANS.jorge;
  const base = { account: AWS_PROD.account, region: AWS_PROD.region, principal: { kind: 'user' as const, name: who.userName }, sourceIp: who.ip, userAgent: UA.cliMacSsm, credentialKey: r.awsKey() };
  return [
    ct(r, 's3', 5 * 60_000, { ...base, timeMs: SSM_ATTACK.start, eventSource: 'ssm.amazonaws.com', eventName: 'GetParameters', requestParameters: { names: ['/prod/orders/database-url', '/prod/payments/database-url'], withDecryption: true } }),
    ct(r, 's3', 6 * 60_000, {
      ...base,
      timeMs: SSM_ATTACK.start + 41_000,
      userAgent: UA.cliMacSsm.replace('get-parameters', 'get-parameters-by-path'),
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParametersByPath',
      requestParameters: { path: '/prod/payments', recursive: true, withDecryption: true },
    }),
  ];
}

/**
 * (g) Wednesday 02:30 UTC. Priya's Azure CLI session reads the invoice signing key in the middle
 * of the night, from her usual VPN address: she is asleep, or it is not her.
 */
export const NIGHT_READ = { start: at('2026-11-04T02:30:41Z') } as const;

function nightReadByPerson(r: DemoRandom): DemoCall[] {
  const who = HUMANS.priya;
  const caller = { kind: 'user' as const, upn: who.upn, oid: who.oid, appid: who.appid };
  const common = { vault: who.vault, resourceGroup: who.resourceGroup, secret: 'invoice-signing-key', version: secretVersion(who.vault, 'invoice-signing-key'), callerIp: who.ip, clientInfo: UA.azCli, correlationId: r.uuid() };
  return [
    kvCall(r, { ...common, timeMs: NIGHT_READ.start - 212, operation: 'SecretGet', httpStatus: 401 }),
    kvCall(r, { ...common, timeMs: NIGHT_READ.start, operation: 'SecretGet', httpStatus: 200, caller }),
  ];
}

/**
 * (c) Wednesday 03:10 UTC. Someone with a shell on the inventory-sync VM uses its service account
 * to guess secret names: 12 PERMISSION_DENIED in four minutes, then one that a forgotten
 * project-wide binding lets it read. Same address as the application: only the sequence shows it.
 */
export const ENUMERATION = {
  start: at('2026-11-04T03:10:04Z'),
  guesses: ['prod-db-password', 'db-password', 'postgres-password', 'mysql-root', 'stripe-secret-key', 'aws-access-key', 'github-token', 'jenkins-admin', 'admin-password', 'api-key', 'ssh-private-key', 'terraform-cloud-token'],
  found: 'legacy-sftp-password',
} as const;

function enumerationFromVm(r: DemoRandom): DemoCall[] {
  const app = GCP_APPS.find((a) => a.email.startsWith('inventory-sync@'));
  if (app === undefined) throw new Error('no inventory-sync service account in the cast');
  const c = { project: GCP_PROD, principalEmail: app.email, callerIp: app.ips[0] ?? '', userAgent: 'curl/7.88.1', method: 'AccessSecretVersion' };
  const out = ENUMERATION.guesses.map((secret, i) => gcpCall(r, 'export', { ...c, secret, timeMs: ENUMERATION.start + i * 19_000 + r.int(0, 3000), errorCode: i % 4 === 3 ? 5 : 7 }));
  out.push(gcpCall(r, 'export', { ...c, secret: ENUMERATION.found, timeMs: ENUMERATION.start + 12 * 19_000 + 6_000 }));
  return out;
}

/**
 * (d) Wednesday 10:20 UTC. Alice's laptop credential files (~/.aws, the Azure CLI token cache) are
 * stolen; from 198.51.100.201 the thief reads her AWS secrets, then, four minutes later, the
 * billing vault in Azure with her Entra ID account. The AWS records arrive 12 minutes late,
 * after the Azure ones.
 */
export const CROSS_CLOUD = { ip: '198.51.100.201', aws: at('2026-11-04T10:20:05Z'), azure: at('2026-11-04T10:24:40Z'), azureUpn: 'alice.smith@acme.example' } as const;

function stolenLaptopCrossCloud(r: DemoRandom): DemoCall[] {
  const who = HUMANS.alice;
  const base = { account: AWS_PROD.account, region: AWS_PROD.region, principal: { kind: 'user' as const, name: who.userName }, sourceIp: CROSS_CLOUD.ip, userAgent: UA.cliMac.replace('os/macos#23.4.0 md/arch#arm64', 'os/linux#6.1.0-26-amd64 md/arch#x86_64'), credentialKey: r.awsKey() };
  const out: DemoCall[] = who.secrets.slice(0, 2).map((secretId, i) =>
    ct(r, 's3', 12 * 60_000 + i * 7_000, { ...base, timeMs: CROSS_CLOUD.aws + i * 31_000, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId } }),
  );
  const caller = { kind: 'user' as const, upn: CROSS_CLOUD.azureUpn, oid: '3d9f1a7c-2e5b-4c8d-9a6f-0b1e2c3d4f5a', appid: HUMANS.priya.appid };
  const common = { vault: HUMANS.priya.vault, resourceGroup: HUMANS.priya.resourceGroup, secret: 'sql-connection-string', version: secretVersion(HUMANS.priya.vault, 'sql-connection-string'), callerIp: CROSS_CLOUD.ip, clientInfo: UA.azCli.replace('(HOMEBREW) ', '').replace('macOS-14.5-arm64-arm-64bit', 'Linux-6.1.0-26-amd64-x86_64-with-glibc2.36'), correlationId: r.uuid() };
  out.push(kvCall(r, { ...common, timeMs: CROSS_CLOUD.azure - 187, operation: 'SecretGet', httpStatus: 401 }));
  out.push(kvCall(r, { ...common, timeMs: CROSS_CLOUD.azure, operation: 'SecretGet', httpStatus: 200, caller }));
  return out;
}

/**
 * (e) Wednesday 13:05 UTC. Code injected into the reporting batch job (data account, whose trail
 * reaches us through CloudWatch Logs) calls BatchGetSecretValue with the catch-all filter
 * `tag-key: !tagKeyThatWillNeverExist`, which matches every secret; AWS then logs one
 * GetSecretValue per secret returned (the five the role may read).
 */
export const CATCH_ALL = { start: at('2026-11-04T13:05:27Z'), returned: ['data/redshift-admin', 'data/looker-api', 'data/snowflake-loader', 'data/airflow-fernet-key', 'data/dbt-cloud-token'] } as const;

function batchCatchAll(r: DemoRandom): DemoCall[] {
  const app = awsApp('reporting-batch');
  const base = {
    account: AWS_DATA.account,
    region: AWS_DATA.region,
    principal: { kind: 'role' as const, role: app.role, session: 'reporting-batch-3' },
    sourceIp: app.ips[0] ?? '',
    userAgent: app.userAgent,
    credentialKey: r.awsKey(),
    ...(app.vpcEndpointId !== undefined ? { vpcEndpointId: app.vpcEndpointId } : {}),
  };
  const out: DemoCall[] = [
    ct(r, 'cloudwatch', 3 * 60_000, {
      ...base,
      timeMs: CATCH_ALL.start,
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'BatchGetSecretValue',
      requestParameters: { filters: [{ key: 'tag-key', values: ['!tagKeyThatWillNeverExist'] }] },
    }),
  ];
  CATCH_ALL.returned.forEach((name, i) => {
    out.push(ct(r, 'cloudwatch', 3 * 60_000, { ...base, timeMs: CATCH_ALL.start + 1 + i, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId: secretArn(AWS_DATA.account, AWS_DATA.region, name, secretSuffix(name)) } }));
  });
  return out;
}

/**
 * (f) Tuesday 11:30 UTC. Maria runs Stratus Red Team's gcp.credential-access.secretmanager-retrieve-secrets
 * from her workstation against production, without telling anyone: it lists the project's secrets
 * and reads the 20 it created. Authorised or not, the security team should hear about it.
 */
export const STRATUS = { start: at('2026-11-03T11:30:12Z'), userAgent: 'stratus-red-team_4fbc5d44-9c4f-469f-a15b-0c85e6ad3241 grpc-go/1.70.0', secrets: 20 } as const;

function stratusDetonation(r: DemoRandom): DemoCall[] {
  const who = HUMANS.maria;
  const c = { project: GCP_PROD, principalEmail: who.email, callerIp: who.ip, userAgent: STRATUS.userAgent };
  const out: DemoCall[] = [gcpCall(r, 'export', { ...c, timeMs: STRATUS.start, method: 'ListSecrets', secret: '' })];
  for (let i = 0; i < STRATUS.secrets; i++) {
    out.push(gcpCall(r, 'export', { ...c, timeMs: STRATUS.start + 700 + i * 180 + r.int(0, 60), method: 'AccessSecretVersion', secret: `stratus-red-team-retrieve-secret-${i}` }));
  }
  return out;
}

