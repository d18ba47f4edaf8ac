import { secretArn } from './cloudtrail.js';
import type { CloudTrailCall } from './cloudtrail.js';
import { DemoRandom, type DemoCall } from './demo-call.js';
import {
  AWS_APPS,
  AWS_PROD,
  AZURE,
  AZURE_APPS,
  DAY_MS,
  DEMO_END_MS,
  DEMO_START_MS,
  GCP_APPS,
  GCP_DATA,
  GCP_PROD,
  HOUR_MS,
  HUMAN_HOURS,
  HUMANS,
  MINUTE_MS,
  UA,
  type AwsApp,
  type AzureApp,
  type GcpApp,
} from './demo-cast.js';
import type { KeyVaultCall } from './keyvault.js';

/**
 * Three days of ordinary traffic: applications re-reading their few secrets on a cache timer from
 * their usual addresses, deploy roles decrypting SSM parameters, people reading a few secrets in
 * working hours, and the odd denied read. None of it may raise an alert: every identity and
 * address shows up in the first hours of day 1 (the first-seen rules learn for 24 h of event time),
 * no one reads more than a handful of secrets an hour, and people never read outside 09:00-17:00 UTC.
 */
export function normalTraffic(): DemoCall[] {
  const calls: DemoCall[] = [];
  AWS_APPS.forEach((app, i) => calls.push(...awsApp(app, new DemoRandom(1000 + i, 1000 + i))));
  GCP_APPS.forEach((app, i) => calls.push(...gcpApp(app, new DemoRandom(2000 + i, 2000 + i))));
  AZURE_APPS.forEach((app, i) => calls.push(...azureApp(app, new DemoRandom(3000 + i, 3000 + i))));
  calls.push(...alice(new DemoRandom(4001, 4001)));
  calls.push(...jorge(new DemoRandom(4002, 4002)));
  calls.push(...maria(new DemoRandom(4003, 4003)));
  calls.push(...priya(new DemoRandom(4004, 4004)));
  return calls;
}

/** The six random characters AWS appends to a secret's name in its ARN, fixed per name. */
export function secretSuffix(name: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  let out = '';
  for (let i = 0; i < 6; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return out;
}

/** The current version id (32 hex digits) of a Key Vault secret: every reader sees the same one. */
export function secretVersion(vault: string, name: string): string {
  let out = '';
  let h = 2166136261;
  for (const c of `${vault}/${name}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  while (out.length < 32) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, 32);
}

/** CloudTrail delivers a record about five minutes after the call (2 to 9 here). */
function ctDelay(r: DemoRandom): number {
  return r.int(2 * 60, 9 * 60) * 1000;
}

function session(template: string, n: number): string {
  return template.replace('{n}', String(n));
}

function awsApp(app: AwsApp, r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const credentialKey = r.awsKey();
  const channel = app.scope === AWS_PROD ? 's3' : 'cloudwatch';
  const periodMs = app.periodMin * MINUTE_MS;
  // Start within the first period, so every application is seen early on day 1.
  let t = DEMO_START_MS + r.int(1, Math.min(app.periodMin, 90)) * MINUTE_MS + r.int(0, 59_999);
  let lastDenied = -1;
  while (t < DEMO_END_MS) {
    const n = Math.floor((t - DEMO_START_MS) / (app.sessionHours * HOUR_MS));
    const base = {
      account: app.scope.account,
      region: app.scope.region,
      principal: { kind: 'role' as const, role: app.role, session: session(app.session, n + 1) },
      sourceIp: app.ips[n % app.ips.length] ?? '',
      userAgent: app.userAgent,
      credentialKey,
      ...(app.vpcEndpointId !== undefined ? { vpcEndpointId: app.vpcEndpointId } : {}),
    };
    let at = t;
    for (const name of app.secrets) {
      at += r.int(40, 400);
      // Applications configured with ARNs send the full ARN; others the name. Both are one secret.
      const secretId = n % 2 === 0 ? secretArn(app.scope.account, app.scope.region, name, secretSuffix(name)) : name;
      out.push(awsCall(r, channel, { ...base, timeMs: at, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId } }));
    }
    if (app.ssmParameters !== undefined) {
      at += r.int(500, 3000);
      out.push(
        awsCall(r, channel, {
          ...base,
          timeMs: at,
          userAgent: app.userAgent === UA.cliCi ? UA.cliCiSsm : app.userAgent,
          eventSource: 'ssm.amazonaws.com',
          eventName: 'GetParameters',
          requestParameters: { names: [...app.ssmParameters], withDecryption: true },
        }),
      );
    }
    // Once a day, a code path reaches for a secret the role may not read.
    const day = Math.floor((t - DEMO_START_MS) / DAY_MS);
    if (app.deniedSecret !== undefined && day !== lastDenied && t - DEMO_START_MS - day * DAY_MS > 11 * HOUR_MS) {
      lastDenied = day;
      out.push(
        awsCall(r, channel, {
          ...base,
          timeMs: at + r.int(1000, 5000),
          eventSource: 'secretsmanager.amazonaws.com',
          eventName: 'GetSecretValue',
          requestParameters: { secretId: app.deniedSecret },
          errorCode: 'AccessDenied',
        }),
      );
    }
    t += Math.round(periodMs * (0.9 + 0.2 * r.next()));
  }
  return out;
}

function awsCall(r: DemoRandom, channel: 's3' | 'cloudwatch', call: Omit<CloudTrailCall, 'eventId'>): DemoCall {
  return { provider: 'aws', channel, delayMs: ctDelay(r), call: { ...call, eventId: r.eventId() } };
}

function gcpApp(app: GcpApp, r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const channel = app.project === GCP_DATA ? 'pubsub' : 'export';
  const periodMs = app.periodMin * MINUTE_MS;
  let t = DEMO_START_MS + r.int(1, Math.min(app.periodMin, 90)) * MINUTE_MS + r.int(0, 59_999);
  while (t < DEMO_END_MS) {
    let at = t;
    for (const secret of app.secrets) {
      at += r.int(20, 300);
      out.push(gcpCall(r, channel, { timeMs: at, project: app.project, method: 'AccessSecretVersion', secret, principalEmail: app.email, callerIp: app.ips[0] ?? '', userAgent: app.userAgent }));
    }
    t += Math.round(periodMs * (0.9 + 0.2 * r.next()));
  }
  return out;
}

export function gcpCall(
  r: DemoRandom,
  channel: 'export' | 'pubsub',
  c: { timeMs: number; project: typeof GCP_PROD | typeof GCP_DATA; method: string; secret: string; principalEmail: string; callerIp: string; userAgent: string; errorCode?: number },
): DemoCall {
  return {
    provider: 'gcp',
    channel,
    delayMs: r.int(1500, 20_000),
    call: {
      timeMs: c.timeMs,
      subMilliNanos: r.int(0, 999_999),
      projectId: c.project.projectId,
      projectNumber: c.project.projectNumber,
      method: c.method,
      secret: c.secret,
      principalEmail: c.principalEmail,
      callerIp: c.callerIp,
      userAgent: c.userAgent,
      insertId: r.insertId(),
      ...(c.errorCode !== undefined ? { errorCode: c.errorCode } : {}),
    },
  };
}

function azureApp(app: AzureApp, r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const periodMs = app.periodMin * MINUTE_MS;
  const caller = { kind: 'managed_identity' as const, oid: app.oid, appid: app.appid, name: app.name, resourceGroup: app.resourceGroup };
  let t = DEMO_START_MS + r.int(1, Math.min(app.periodMin, 90)) * MINUTE_MS + r.int(0, 59_999);
  let process = -1;
  while (t < DEMO_END_MS) {
    const n = Math.floor((t - DEMO_START_MS) / (app.processHours * HOUR_MS));
    let at = t;
    for (const secret of app.secrets) {
      const correlationId = r.uuid();
      const common = { vault: app.vault, resourceGroup: app.resourceGroup, secret, version: secretVersion(app.vault, secret), callerIp: app.ips[0] ?? '', clientInfo: app.userAgent, correlationId };
      // A new process's first request goes out without a token: Key Vault answers 401, the SDK
      // authenticates and retries. Normal, and the 401 names no one.
      if (n !== process) {
        process = n;
        out.push(kvCall(r, { ...common, timeMs: at, operation: 'SecretGet', httpStatus: 401 }));
        at += r.int(40, 120);
      }
      out.push(kvCall(r, { ...common, timeMs: at, operation: 'SecretGet', httpStatus: 200, caller }));
      at += r.int(30, 250);
    }
    t += Math.round(periodMs * (0.9 + 0.2 * r.next()));
  }
  return out;
}

export function kvCall(r: DemoRandom, c: Omit<KeyVaultCall, 'subMilliTicks' | 'subscription' | 'location' | 'tenantId'>): DemoCall {
  return {
    provider: 'azure',
    delayMs: r.int(30_000, 180_000),
    call: { ...c, subMilliTicks: r.int(0, 9999), subscription: AZURE.subscription, location: AZURE.location, tenantId: AZURE.tenantId },
  };
}

/** Start times of a person's sessions on each day: `perDay` in [min, max], inside working hours. */
function workSessions(r: DemoRandom, min: number, max: number): number[] {
  const out: number[] = [];
  for (let day = 0; day < 3; day++) {
    const count = r.int(min, max);
    for (let i = 0; i < count; i++) {
      // Between 09:15 and 16:30 so a session of a few minutes ends well before 17:00.
      const minute = r.int(HUMAN_HOURS[0] * 60 + 15, (HUMAN_HOURS[1] - 1) * 60 + 30);
      out.push(DEMO_START_MS + day * DAY_MS + minute * MINUTE_MS + r.int(0, 59_999));
    }
  }
  return out.sort((a, b) => a - b);
}

function alice(r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const who = HUMANS.alice;
  const base = { account: AWS_PROD.account, region: AWS_PROD.region, principal: { kind: 'user' as const, name: who.userName }, sourceIp: who.ip, userAgent: UA.cliMac, credentialKey: r.awsKey() };
  workSessions(r, 2, 4).forEach((start, i) => {
    let at = start;
    out.push(awsCall(r, 's3', { ...base, timeMs: at, eventSource: 'secretsmanager.amazonaws.com', eventName: 'ListSecrets', requestParameters: { maxResults: 100 }, userAgent: UA.cliMac.replace('get-secret-value', 'list-secrets') }));
    const count = 1 + (i % 2);
    for (let k = 0; k < count; k++) {
      at += r.int(20_000, 120_000);
      const secretId = who.secrets[(i + k) % who.secrets.length] ?? '';
      out.push(awsCall(r, 's3', { ...base, timeMs: at, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId } }));
    }
    // Once, she tries the payments database password, which she may not read.
    if (i === 3) {
      at += r.int(20_000, 60_000);
      out.push(awsCall(r, 's3', { ...base, timeMs: at, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId: 'prod/payments/postgres' }, errorCode: 'AccessDenied' }));
    }
  });
  return out;
}

function jorge(r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const who = HUMANS.jorge;
  const base = { account: AWS_PROD.account, region: AWS_PROD.region, principal: { kind: 'user' as const, name: who.userName }, sourceIp: who.ip, credentialKey: r.awsKey() };
  workSessions(r, 1, 3).forEach((start) => {
    let at = start;
    // He looks parameters up without decryption (the values stay encrypted): a describe, not a read.
    out.push(awsCall(r, 's3', { ...base, timeMs: at, userAgent: UA.cliMacSsm, eventSource: 'ssm.amazonaws.com', eventName: 'GetParameters', requestParameters: { names: [...who.parameters] } }));
    at += r.int(30_000, 200_000);
    out.push(awsCall(r, 's3', { ...base, timeMs: at, userAgent: UA.cliMac, eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId: 'prod/orders/rabbitmq' } }));
  });
  return out;
}

function maria(r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const who = HUMANS.maria;
  workSessions(r, 1, 3).forEach((start, i) => {
    const secret = who.secrets[i % who.secrets.length] ?? '';
    const c = { project: GCP_PROD, secret, principalEmail: who.email, callerIp: who.ip };
    out.push(gcpCall(r, 'export', { ...c, timeMs: start, method: 'GetSecret', userAgent: UA.gcloud.replace('versions.access', 'describe') }));
    out.push(gcpCall(r, 'export', { ...c, timeMs: start + r.int(15_000, 90_000), method: 'AccessSecretVersion', userAgent: UA.gcloud }));
  });
  return out;
}

function priya(r: DemoRandom): DemoCall[] {
  const out: DemoCall[] = [];
  const who = HUMANS.priya;
  const caller = { kind: 'user' as const, upn: who.upn, oid: who.oid, appid: who.appid };
  workSessions(r, 1, 3).forEach((start, i) => {
    const secret: string = who.secrets[i % who.secrets.length] ?? '';
    const common = { vault: who.vault, resourceGroup: who.resourceGroup, callerIp: who.ip, clientInfo: UA.azCli, version: secretVersion(who.vault, secret) };
    const listId = r.uuid();
    out.push(kvCall(r, { ...common, timeMs: start, operation: 'SecretList', secret: '', httpStatus: 401, correlationId: listId }));
    out.push(kvCall(r, { ...common, timeMs: start + r.int(150, 400), operation: 'SecretList', secret: '', httpStatus: 200, caller, correlationId: listId }));
    out.push(kvCall(r, { ...common, timeMs: start + r.int(20_000, 90_000), operation: 'SecretGet', secret, httpStatus: 200, caller, correlationId: r.uuid() }));
  });
  return out;
}
