import { gzipSync } from 'node:zlib';
import { otlpLogsTypes } from '../../src/otlp/proto-root.js';
import { cloudTrailRecord, hexId } from '../gen/cloudtrail.js';

/**
 * What the soak sends: valid requests (background that raises nothing, plus one attack unit each,
 * which raises exactly one alert whatever the order of requests), malformed requests, and gzip
 * bombs in every place a body can hide one.
 */
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const MIB = 1024 * 1024;
const NORMAL_UA = 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/secretsmanager#1.32.4';
export const RECORDS_PER_REQUEST = 500;

export type Body = Record<string, unknown>;
export interface SoakRequest {
  kind: 'valid' | 'malformed' | 'bomb';
  /** HTTP content type, or `grpc`. */
  transport: 'protobuf' | 'json' | 'grpc';
  bytes: Uint8Array;
  contentEncoding?: 'gzip';
  /** Valid requests: the attack unit's records (JSON text), fed to the reference detector once accepted. */
  attack: string[];
}

function encode(bodies: readonly Body[]): Buffer {
  const { request } = otlpLogsTypes();
  const message = request.fromObject({
    resourceLogs: [{ resource: { attributes: [{ key: 'cloud.provider', value: { stringValue: 'aws' } }] }, scopeLogs: [{ scope: { name: 'soak' }, logRecords: bodies.map((body) => ({ body })) }] }],
  });
  return Buffer.from(request.encode(message).finish());
}

const text = (value: string): Body => ({ stringValue: value });

function call(n: number, fields: Partial<Parameters<typeof cloudTrailRecord>[0]> & Pick<Parameters<typeof cloudTrailRecord>[0], 'eventSource' | 'eventName' | 'principal'>): string {
  return JSON.stringify(
    cloudTrailRecord({
      timeMs: Date.now() - 60_000,
      account: ACCOUNT,
      region: REGION,
      sourceIp: `10.0.${(n >> 8) & 255}.${n & 255}`,
      userAgent: NORMAL_UA,
      requestParameters: null,
      eventId: hexId(n, 77),
      ...fields,
    }),
  );
}

/**
 * Background that no rule alerts on however often it is repeated: other services' calls and
 * DescribeSecret (not a read). Encoded once; protobuf messages concatenate, so each valid request
 * is this blob followed by its own attack unit.
 */
function backgroundBlob(records: number): Buffer {
  const bodies: Body[] = [];
  for (let i = 0; i < records; i++) {
    const principal = { kind: 'role' as const, role: `svc-batch-${i % 40}`, session: `i-${hexId(i).slice(0, 17)}` };
    bodies.push(
      text(
        i % 2 === 0
          ? call(i, { eventSource: 's3.amazonaws.com', eventName: 'GetObject', principal, requestParameters: { bucketName: 'logs', key: `k/${i}` } })
          : call(i, { eventSource: 'secretsmanager.amazonaws.com', eventName: 'DescribeSecret', principal, requestParameters: { secretId: `prod/app-${i % 30}/db` } }),
      ),
    );
  }
  return encode(bodies);
}

/**
 * One alert's worth of attack, unique to request `n`: 60 reads of one secret by a fresh role from a
 * fresh address (secret_access_spike crosses at the 51st), or one read with an attack tool's user
 * agent (attack_tool_user_agent).
 */
function attackUnit(n: number): string[] {
  const principal = { kind: 'role' as const, role: `soak-attacker-${n}`, session: 'x' };
  const sourceIp = `10.${100 + ((n >> 16) & 63)}.${(n >> 8) & 255}.${n & 255}`;
  if (n % 2 === 0) {
    return Array.from({ length: 60 }, (_, i) =>
      call(n * 100 + i, { eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', principal, sourceIp, requestParameters: { secretId: 'prod/payments/db' } }),
    );
  }
  return [call(n * 100, { eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', principal, sourceIp, userAgent: 'pacu/1.5.2 (soak)', requestParameters: { secretId: 'prod/payments/db' } })];
}

/** A gzip member of `mib` MiB of spaces repeated `members` times (Node inflates concatenated members). */
function bombBytes(mib: number, members: number): Buffer {
  const one = gzipSync(Buffer.alloc(mib * MIB, 0x20), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => one));
}

/** Background is rebuilt this often, so its event time stays well within the allowed lateness. */
const BACKGROUND_REFRESH_MS = 120_000;

export class SoakTraffic {
  private background = backgroundBlob(RECORDS_PER_REQUEST - 60);
  private backgroundBuiltAt = Date.now();
  private readonly bombs: SoakRequest[];
  private readonly malformed: SoakRequest[];
  private next = 0;

  constructor() {
    // Eight bodies that inflate to 256 MiB each; a request body that does; base64 text in JSON.
    const nested = bombBytes(1, 256);
    const eight = encode(Array.from({ length: 8 }, () => ({ bytesValue: nested })));
    const asText = Array.from({ length: 8 }, () => text(nested.toString('base64')));
    const { request } = otlpLogsTypes();
    const json = JSON.stringify(request.toObject(request.decode(encode(asText)), { bytes: String }));
    this.bombs = [
      { kind: 'bomb', transport: 'protobuf', bytes: eight, attack: [] },
      { kind: 'bomb', transport: 'grpc', bytes: eight, attack: [] },
      { kind: 'bomb', transport: 'json', bytes: Buffer.from(json), attack: [] },
      { kind: 'bomb', transport: 'protobuf', bytes: bombBytes(1, 1024), contentEncoding: 'gzip', attack: [] },
    ];
    this.malformed = [
      { kind: 'malformed', transport: 'protobuf', bytes: Buffer.from([0xff, 0xfe, 0x20, 0x6e, 0x6f, 0x74]), attack: [] },
      { kind: 'malformed', transport: 'json', bytes: Buffer.from('{"resourceLogs": [ {'), attack: [] },
      { kind: 'malformed', transport: 'grpc', bytes: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), attack: [] },
      // Well-formed OTLP whose records are not audit records: a partial success, nothing scored.
      { kind: 'malformed', transport: 'protobuf', bytes: encode(Array.from({ length: 50 }, (_, i) => text(i % 2 === 0 ? '{"not": "cloudtrail"}' : '{broken json'))), attack: [] },
    ];
  }

  /** The next request of the mix: about 1 in 10 a bomb, 1 in 20 malformed, the rest valid. */
  take(grpc: boolean): SoakRequest {
    const n = this.next++;
    if (n % 10 === 3) return this.bombs[(n / 10) % this.bombs.length | 0] as SoakRequest;
    if (n % 20 === 7) return this.malformed[(n / 20) % this.malformed.length | 0] as SoakRequest;
    if (Date.now() - this.backgroundBuiltAt > BACKGROUND_REFRESH_MS) {
      this.background = backgroundBlob(RECORDS_PER_REQUEST - 60);
      this.backgroundBuiltAt = Date.now();
    }
    const attack = attackUnit(n);
    return { kind: 'valid', transport: grpc ? 'grpc' : 'protobuf', bytes: Buffer.concat([this.background, encode(attack.map(text))]), attack };
  }
}
