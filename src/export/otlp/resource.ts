import { hostname } from 'node:os';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { packageVersion } from '../../cli/version.js';

/** Who sends: the OTLP resource of every alert and forwarded event. */
export interface ResourceOptions {
  /** Default: the package version. */
  service_version?: string;
  /** Default: `<hostname>-<pid>`, as `replay --format otlp-json` writes it. */
  service_instance_id?: string;
}

export const SERVICE_NAME = 'secretwatch';
/** The instrumentation scope name of the records (the same as `src/export/otlp-json.ts`). */
export const SCOPE_NAME = 'secretwatch';

export function defaultServiceInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}

export function secretwatchResource(options: ResourceOptions = {}): Resource {
  return resourceFromAttributes({
    'service.name': SERVICE_NAME,
    'service.version': options.service_version ?? packageVersion(),
    'service.instance.id': options.service_instance_id ?? defaultServiceInstanceId(),
  });
}
