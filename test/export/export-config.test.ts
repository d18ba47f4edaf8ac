import { describe, expect, it } from 'vitest';
import { SecretwatchError } from '../../src/errors/codes.js';
import { resolveOtlpExport, type Env, type OtlpExportOptions } from '../../src/export/otlp/export-config.js';

function fails(options: OtlpExportOptions, env: Env): SecretwatchError {
  try {
    resolveOtlpExport(options, env);
  } catch (err) {
    if (err instanceof SecretwatchError) return err;
    throw err;
  }
  throw new Error('expected SW_EXPORT_CONFIG_INVALID');
}

describe('resolveOtlpExport', () => {
  it('uses the OTLP defaults with no option and no variable', () => {
    expect(resolveOtlpExport({}, {})).toEqual({
      protocol: 'http/protobuf',
      url: 'http://localhost:4318/v1/logs',
      headers: {},
      timeout_millis: 10_000,
      compression: 'none',
      sources: { protocol: 'default', url: 'default', timeout_millis: 'default', compression: 'default' },
    });
    expect(resolveOtlpExport({ protocol: 'grpc' }, {}).url).toBe('http://localhost:4317');
  });

  it('appends v1/logs to the general endpoint for http, keeping its path', () => {
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).url).toBe('http://collector:4318/v1/logs');
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp/' }).url).toBe('https://gw.example/otlp/v1/logs');
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }).url).toBe('https://gw.example/otlp/v1/logs');
    // ...but not for grpc.
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).url).toBe('http://collector:4317');
  });

  it('uses the logs endpoint variable as is, over the general one', () => {
    const r = resolveOtlpExport(
      {},
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:9999/custom/path' },
    );
    expect(r.url).toBe('http://logs:9999/custom/path');
    expect(r.sources.url).toBe('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT');
  });

  it('lets an explicit endpoint win over both variables; a bare host:port gets /v1/logs for http', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318', OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/v1/logs' };
    expect(resolveOtlpExport({ endpoint: 'http://mine:4318' }, env).url).toBe('http://mine:4318/v1/logs');
    expect(resolveOtlpExport({ endpoint: 'http://mine:4318/ingest/logs' }, env).url).toBe('http://mine:4318/ingest/logs');
    expect(resolveOtlpExport({ endpoint: 'http://mine:4317', protocol: 'grpc' }, env).url).toBe('http://mine:4317');
    expect(resolveOtlpExport({ endpoint: 'http://mine:4318' }, env).sources.url).toBe('option');
  });

  it('takes the protocol from the option, then the logs variable, then the general one', () => {
    const env = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json' };
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).protocol).toBe('grpc');
    expect(resolveOtlpExport({}, env)).toMatchObject({ protocol: 'http/json', sources: { protocol: 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL' } });
    expect(resolveOtlpExport({ protocol: 'http/protobuf' }, env).protocol).toBe('http/protobuf');
  });

  it('merges headers key by key: general < logs < options, percent-decoded', () => {
    const r = resolveOtlpExport(
      { headers: { 'x-team': 'secops' } },
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20Z2VuZXJhbA%3D%3D, x-tenant=general,x-team=general',
        OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'x-tenant=logs',
      },
    );
    expect(r.headers).toEqual({ authorization: 'Basic Z2VuZXJhbA==', 'x-tenant': 'logs', 'x-team': 'secops' });
  });

  it('takes timeout and compression from option > logs variable > general variable > default', () => {
    const env = {
      OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    };
    expect(resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_TIMEOUT: '3000' }).timeout_millis).toBe(3000);
    expect(resolveOtlpExport({}, env)).toMatchObject({ timeout_millis: 2000, compression: 'gzip' });
    expect(resolveOtlpExport({}, { ...env, OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'none' }).compression).toBe('none');
    expect(resolveOtlpExport({ timeout_millis: 500, compression: 'none' }, env)).toMatchObject({ timeout_millis: 500, compression: 'none' });
  });

  it('treats an empty or blank variable as unset', () => {
    const r = resolveOtlpExport({}, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: '  ', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: '' });
    expect(r).toMatchObject({ url: 'http://c:4318/v1/logs', protocol: 'http/protobuf' });
  });

  it('fails at start-up naming the variable or option that is not valid', () => {
    const cases: [OtlpExportOptions, Env, string][] = [
      [{}, { OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http' }, 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL must be one of http/protobuf, http/json, grpc'],
      [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT must start with http:// or https://'],
      [{}, { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'not a url' }, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT must be a URL'],
      [{}, { OTEL_EXPORTER_OTLP_TIMEOUT: '10s' }, 'OTEL_EXPORTER_OTLP_TIMEOUT must be a whole number'],
      [{}, { OTEL_EXPORTER_OTLP_LOGS_COMPRESSION: 'zstd' }, 'OTEL_EXPORTER_OTLP_LOGS_COMPRESSION must be none or gzip'],
      [{}, { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' }, 'OTEL_EXPORTER_OTLP_HEADERS must be a list of key=value pairs'],
      [{ timeout_millis: 0 }, {}, 'timeout_millis must be a number of milliseconds above 0'],
      [{ endpoint: 'ftp://x' }, {}, 'endpoint must start with http:// or https://'],
    ];
    for (const [options, env, message] of cases) {
      const err = fails(options, env);
      expect(err.code).toBe('SW_EXPORT_CONFIG_INVALID');
      expect(err.message).toContain(message);
    }
  });

  it('does not read a variable that an option overrides (a bad one is then harmless)', () => {
    expect(resolveOtlpExport({ protocol: 'grpc', endpoint: 'http://c:4317', timeout_millis: 100 }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'bogus', OTEL_EXPORTER_OTLP_TIMEOUT: 'x' }).protocol).toBe('grpc');
  });
});
