import { BlockList, isIP } from 'node:net';

/**
 * Adds an address or CIDR block (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`) to a BlockList.
 * Returns false, adding nothing, when the text is neither: rule files are checked with this at
 * load time so that a typo fails start-up instead of silently excepting nothing.
 */
export function addCidr(list: BlockList, text: string): boolean {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  if (slash < 0) {
    list.addAddress(address, type);
    return true;
  }
  const prefixText = trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return false;
  const prefix = Number(prefixText);
  if (prefix > max) return false;
  list.addSubnet(address, prefix, type);
  return true;
}

/** True when `ip` (a valid address, as the normalizers write it) is in the list. */
export function inBlockList(list: BlockList, ip: string): boolean {
  const family = isIP(ip);
  if (family === 0) return false;
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
