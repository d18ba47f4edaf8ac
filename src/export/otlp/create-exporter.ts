import { Metadata } from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { SecretwatchError } from '../../errors/codes.js';
import type { ResolvedOtlpExport } from './export-config.js';

// The exporters type `compression` with an enum of 'none' | 'gzip' from a package we do not
// depend on directly; the strings are its values.
type Compression = NonNullable<ConstructorParameters<typeof ProtoLogExporter>[0]>['compression'];

/**
 * The OpenTelemetry OTLP log exporter for a resolved configuration. Every setting is passed
 * explicitly, so the exporter's own reading of the environment never overrides an option.
 * (Each exporter still retries a retryable failure on its own within `timeout_millis`.)
 */
export function createLogExporter(config: ResolvedOtlpExport): LogRecordExporter {
  const compression = config.compression as Compression;
  switch (config.protocol) {
    case 'http/protobuf':
      return new ProtoLogExporter({ url: config.url, headers: config.headers, timeoutMillis: config.timeout_millis, compression });
    case 'http/json':
      return new JsonLogExporter({ url: config.url, headers: config.headers, timeoutMillis: config.timeout_millis, compression });
    case 'grpc': {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(config.headers)) {
        try {
          metadata.set(key, value);
        } catch (err) {
          throw new SecretwatchError('SW_EXPORT_CONFIG_INVALID', `header '${key}' cannot be sent as gRPC metadata: ${(err as Error).message}`, { cause: err });
        }
      }
      return new GrpcLogExporter({ url: config.url, metadata, timeoutMillis: config.timeout_millis, compression });
    }
  }
}
