import { gzipSync } from 'node:zlib';
import { cloudTrailRecord } from './cloudtrail.js';
import { DemoRandom, type DemoCall } from './demo-call.js';
import { AWS_DATA, AWS_PROD, DEMO_START_MS, GCP_DATA, GCP_PROD, HOUR_MS } from './demo-cast.js';
import { gcpAuditEntry, pubsubPush } from './gcp-audit.js';
import { keyVaultRecord } from './keyvault.js';

/** One file of the demo: a path relative to fixtures/demo/ and its exact bytes. */
export interface DemoFile {
  path: string;
  bytes: Buffer;
}

/** CloudTrail files here cover three hours each (real trails write one every ~5 minutes). */
const CLOUDTRAIL_FILE_HOURS = 3;
/** Key Vault batches: one per six hours of delivery. */
const KEYVAULT_FILE_HOURS = 6;

type Of<P extends DemoCall['provider']> = Extract<DemoCall, { provider: P }>;

function delivered(c: DemoCall): number {
  return c.call.timeMs + c.delayMs;
}

/** Calls in delivery order (ties by call time): late records end up among later ones. */
function byDelivery<T extends DemoCall>(calls: readonly T[]): T[] {
  return [...calls].sort((a, b) => delivered(a) - delivered(b) || a.call.timeMs - b.call.timeMs);
}

/** Groups calls by `key`, keeping the keys in first-seen order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

/** `20261102T0300Z`, the timestamp form of CloudTrail file names. */
function compactTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').slice(0, 13) + 'Z';
}

function binEnd(ms: number, hours: number): number {
  const size = hours * HOUR_MS;
  return DEMO_START_MS + (Math.floor((ms - DEMO_START_MS) / size) + 1) * size;
}

/** Writes every call into the envelope its provider and delivery channel use. */
export function demoFiles(calls: readonly DemoCall[]): DemoFile[] {
  const r = new DemoRandom(9001, 9001);
  const aws = calls.filter((c): c is Of<'aws'> => c.provider === 'aws');
  const gcp = calls.filter((c): c is Of<'gcp'> => c.provider === 'gcp');
  const azure = calls.filter((c): c is Of<'azure'> => c.provider === 'azure');
  return [
    ...cloudTrailFiles(byDelivery(aws.filter((c) => c.channel === 's3')), r),
    cloudWatchLogsFile(byDelivery(aws.filter((c) => c.channel === 'cloudwatch')), r),
    ...gcpExportFiles(gcp.filter((c) => c.channel === 'export')),
    ...gcpPushFiles(byDelivery(gcp.filter((c) => c.channel === 'pubsub')), r),
    ...keyVaultFiles(byDelivery(azure)),
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `<account>_CloudTrail_<region>_<delivery time>_<16 characters>.json.gz`, gzipped `{"Records": [...]}`. */
function cloudTrailFiles(calls: readonly Of<'aws'>[], r: DemoRandom): DemoFile[] {
  const files: DemoFile[] = [];
  for (const [end, group] of groupBy(calls, (c) => String(binEnd(delivered(c), CLOUDTRAIL_FILE_HOURS)))) {
    const json = JSON.stringify({ Records: group.map((c) => cloudTrailRecord(c.call)) });
    const name = `${AWS_PROD.account}_CloudTrail_${AWS_PROD.region}_${compactTime(Number(end))}_${r.hex(16)}.json.gz`;
    files.push({ path: `aws/${name}`, bytes: gzipSync(json, { level: 9 }) });
  }
  return files;
}

/**
 * The data account's trail goes to a CloudWatch Logs group with a subscription filter to Kinesis:
 * each Kinesis record is a gzipped DATA_MESSAGE whose log events are CloudTrail records as text.
 * The demo keeps one such payload for the three days.
 */
function cloudWatchLogsFile(calls: readonly Of<'aws'>[], r: DemoRandom): DemoFile {
  const logGroup = `aws-cloudtrail-logs-${AWS_DATA.account}-data`;
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: AWS_DATA.account,
    logGroup,
    logStream: `${AWS_DATA.account}_CloudTrail_${AWS_DATA.region}`,
    subscriptionFilters: ['secretwatch-kinesis'],
    logEvents: calls.map((c) => ({
      // CloudWatch Logs event ids are 56 decimal digits.
      id: r.digits(56),
      timestamp: delivered(c),
      message: JSON.stringify(cloudTrailRecord(c.call)),
    })),
  };
  const last = calls.at(-1);
  const stamp = compactTime(last === undefined ? DEMO_START_MS : delivered(last));
  return { path: `aws/cloudwatch-logs_${AWS_DATA.account}_${AWS_DATA.region}_${stamp}.json.gz`, bytes: gzipSync(JSON.stringify(payload), { level: 9 }) };
}

/** A Cloud Logging sink to Cloud Storage: JSON lines, one file per day, in timestamp order. */
function gcpExportFiles(calls: readonly Of<'gcp'>[]): DemoFile[] {
  const sorted = [...calls].sort((a, b) => a.call.timeMs - b.call.timeMs);
  const files: DemoFile[] = [];
  for (const [day, group] of groupBy(sorted, (c) => new Date(c.call.timeMs).toISOString().slice(0, 10).replace(/-/g, ''))) {
    const lines = group.map((c) => `${JSON.stringify(gcpAuditEntry(c.call))}\n`).join('');
    files.push({ path: `gcp/${GCP_PROD.projectId}_cloudaudit_data_access_${day}.jsonl`, bytes: Buffer.from(lines) });
  }
  return files;
}

/** A sink to Pub/Sub with a push subscription: one push body per line, in delivery order. */
function gcpPushFiles(calls: readonly Of<'gcp'>[], r: DemoRandom): DemoFile[] {
  const files: DemoFile[] = [];
  const subscription = `projects/${GCP_DATA.projectId}/subscriptions/secretwatch-audit-push`;
  for (const [day, group] of groupBy(calls, (c) => new Date(delivered(c)).toISOString().slice(0, 10).replace(/-/g, ''))) {
    const lines = group
      .map((c) => `${JSON.stringify(pubsubPush(gcpAuditEntry(c.call), { messageId: r.digits(16), publishMs: delivered(c), subscription }))}\n`)
      .join('');
    files.push({ path: `gcp/${GCP_DATA.projectId}_pubsub_push_${day}.jsonl`, bytes: Buffer.from(lines) });
  }
  return files;
}

/** Key Vault diagnostic settings to Event Hubs: `{"records": [...]}` batches, one per six hours here. */
function keyVaultFiles(calls: readonly Of<'azure'>[]): DemoFile[] {
  const files: DemoFile[] = [];
  for (const [end, group] of groupBy(calls, (c) => String(binEnd(delivered(c), KEYVAULT_FILE_HOURS)))) {
    const json = JSON.stringify({ records: group.map((c) => keyVaultRecord(c.call)) });
    files.push({ path: `azure/keyvault-audit_${compactTime(Number(end) - KEYVAULT_FILE_HOURS * HOUR_MS)}.json`, bytes: Buffer.from(json) });
  }
  return files;
}
