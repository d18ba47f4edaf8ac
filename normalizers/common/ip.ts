import { isIP } from 'node:net';

/**
 * Splits a provider's "source address" field into an IP or a host name.
 *
 * AWS writes the calling service's host name (`secretsmanager.amazonaws.com`) where a service
 * called on a user's behalf, and AWS documentation shows addresses with leading zeros
 * (`172.01.01.001`) that no parser accepts. Only a real IPv4/IPv6 address becomes `ip`; anything
 * else is kept as `host` so that nothing is lost and detectors never key on a host name as an IP.
 */
export function splitSourceAddress(value: unknown): { ip?: string; host?: string } {
  if (typeof value !== 'string') return {};
  const trimmed = value.trim();
  if (trimmed === '') return {};
  if (isIP(trimmed) !== 0) return { ip: trimmed.toLowerCase() };
  // IPv6 with a zone or brackets, IPv4 with a port: strip and retry once.
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d+)?$/i.exec(trimmed);
  if (bracketed?.[1] !== undefined && isIP(bracketed[1]) === 6) return { ip: bracketed[1].toLowerCase() };
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(trimmed);
  if (withPort?.[1] !== undefined && isIP(withPort[1]) === 4) return { ip: withPort[1] };
  return { host: trimmed };
}
