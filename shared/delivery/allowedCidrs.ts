import { BlockList, isIP } from 'node:net';

import { SETTINGS } from '../config/names';
import { type NormalizedAddress, normalizeAddress } from './blockedRanges';

/** A setting value that is not a list of CIDRs; the message names the setting and the entry. */
export class InvalidCidrListError extends Error {
  /** @param problem what is wrong with which entry, without the setting's name (settings.ts adds its own). */
  constructor(readonly problem: string) {
    super(`${SETTINGS.allowedPrivateCidrs}: ${problem}`);
    this.name = 'InvalidCidrListError';
  }
}

/** Private ranges webhooks may reach anyway (the local stack allows 127.0.0.0/8). */
export interface AllowedCidrs {
  readonly cidrs: readonly string[];
  contains(address: NormalizedAddress): boolean;
}

/**
 * Parses a comma-separated list such as `127.0.0.0/8, 10.1.0.0/16, fd00::/8`. A bare address
 * means that one host. Empty or absent: nothing is allowed. Throws InvalidCidrListError.
 */
export function parseAllowedCidrs(text: string | undefined): AllowedCidrs {
  const list = new BlockList();
  const cidrs: string[] = [];
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [rawNetwork = '', rawPrefix, extra] = entry.split('/');
    const network = normalizeAddress(rawNetwork);
    // The family as written decides the prefix range: ::ffff:10.0.0.0/104 is an IPv6 prefix.
    const writtenFamily = isIP(rawNetwork.replace(/^\[|\]$/g, ''));
    if (extra !== undefined || network === undefined || writtenFamily === 0) {
      throw new InvalidCidrListError(`"${entry}" is not an IP address or CIDR such as 10.0.0.0/8`);
    }
    const fullLength = writtenFamily === 4 ? 32 : 128;
    const prefix = rawPrefix === undefined ? fullLength : Number(rawPrefix);
    if ((rawPrefix !== undefined && !/^\d+$/.test(rawPrefix)) || prefix > fullLength) {
      throw new InvalidCidrListError(`"${entry}" has an invalid prefix length (0-${fullLength})`);
    }
    // An IPv4-mapped network given as IPv6 allows the IPv4 range it stands for.
    const v4Prefix = network.family === 'ipv4' && fullLength === 128 ? prefix - 96 : prefix;
    if (v4Prefix < 0) throw new InvalidCidrListError(`"${entry}" is too wide to express as an IPv4 range`);
    list.addSubnet(network.address, v4Prefix, network.family);
    cidrs.push(entry);
  }
  return { cidrs, contains: (address) => cidrs.length > 0 && list.check(address.address, address.family) };
}
