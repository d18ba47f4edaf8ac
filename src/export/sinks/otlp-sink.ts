import { ExportResultCode } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { Alert } from '../../../detectors/alerts/alert.js';
import { packageVersion } from '../../cli/version.js';
import { AlertRecordFactory } from '../otlp/alert-records.js';
import { createLogExporter } from '../otlp/create-exporter.js';
import { resolveOtlpExport, type Env, type OtlpExportOptions, type OtlpProtocol, type ResolvedOtlpExport } from '../otlp/export-config.js';
import { secretwatchResource, type ResourceOptions } from '../otlp/resource.js';
import type { AlertSink, SinkResult } from './alert-sink.js';
import { permanentFailure } from './export-failure.js';

export interface OtlpAlertSinkOptions extends OtlpExportOptions, ResourceOptions {
  /**
   * Safety net: an attempt whose exporter has not called back after this long counts as failed
   * (it is retried; a late success only means a duplicate). Default: 2 x timeout + 5 s, because
   * the exporter retries within its timeout on its own.
   */
  watchdog_millis?: number;
}

/**
 * Delivers alerts as OTLP log records through the OpenTelemetry exporters: one `export` call per
 * batch, and the exporter's own result decides whether the batch is acknowledged.
 */
export class OtlpAlertSink implements AlertSink {
  readonly name: string;
  private readonly factory: AlertRecordFactory;
  private readonly watchdogMillis: number;
  private readonly grpc: boolean;
  private closed = false;

  constructor(
    private readonly exporter: LogRecordExporter,
    resource: Resource,
    /** `protocol` tells how to read a failure's code (a gRPC status or an HTTP status); default http. */
    options: { name: string; watchdog_millis: number; scope_version?: string; protocol?: OtlpProtocol },
    /** The resolved settings when built by `create` (for the start-up message). */
    readonly config?: ResolvedOtlpExport,
  ) {
    this.name = options.name;
    this.watchdogMillis = options.watchdog_millis;
    this.grpc = options.protocol === 'grpc';
    this.factory = new AlertRecordFactory(resource, options.scope_version ?? packageVersion());
  }

  /** Resolves the settings (options > OTEL_EXPORTER_OTLP_* in `env` > defaults) and builds the exporter. */
  static create(options: OtlpAlertSinkOptions = {}, env: Env = process.env): OtlpAlertSink {
    const config = resolveOtlpExport(options, env);
    const resource = secretwatchResource(options);
    const watchdog = options.watchdog_millis ?? config.timeout_millis * 2 + 5_000;
    const scopeVersion = options.service_version ?? packageVersion();
    return new OtlpAlertSink(createLogExporter(config), resource, { name: `otlp ${config.protocol}`, watchdog_millis: watchdog, scope_version: scopeVersion, protocol: config.protocol }, config);
  }

  send(alerts: readonly Alert[]): Promise<SinkResult> {
    if (this.closed) return Promise.resolve({ ok: false, error: new Error(`${this.name} sink is shut down`) });
    const records = this.factory.records(alerts);
    if (records.length !== alerts.length) {
      return Promise.resolve({ ok: false, error: new Error(`${this.name}: ${alerts.length - records.length} alert(s) were not turned into log records`) });
    }
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: SinkResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(
        () => finish({ ok: false, error: new Error(`${this.name}: no export result after ${this.watchdogMillis} ms`) }),
        this.watchdogMillis,
      );
      try {
        this.exporter.export(records, (result) => {
          if (result.code === ExportResultCode.SUCCESS) {
            finish({ ok: true });
            return;
          }
          const error = result.error ?? new Error(`${this.name}: export failed`);
          const permanent = permanentFailure(error, this.grpc);
          finish(permanent === undefined ? { ok: false, error } : { ok: false, error, permanent });
        });
      } catch (err) {
        finish({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
      }
    });
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([this.exporter.shutdown(), this.factory.shutdown()]);
  }
}
