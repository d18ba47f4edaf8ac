import { SecretwatchError } from '../errors/codes.js';

export interface Endpoint {
  host: string;
  port: number;
}

/**
 * `host:port` as the Collector writes endpoints (`127.0.0.1:4318`, `[::1]:4317`, `localhost:0`).
 * `key` names the configuration key in the error message.
 */
export function parseEndpoint(value: string, key: string): Endpoint {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value.trim());
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (m === null || host === undefined || port > 65535) {
    throw new SecretwatchError('SW_CONFIG_INVALID', `${key} must be "host:port" (e.g. "127.0.0.1:4318", "[::1]:4317"), got ${JSON.stringify(value)}`);
  }
  return { host, port };
}

/** The form `parseEndpoint` reads, with brackets around IPv6 hosts. */
export function formatEndpoint(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}
