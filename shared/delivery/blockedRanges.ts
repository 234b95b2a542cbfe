import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Address ranges a webhook must not reach unless allowed by SWITCHYARD_ALLOWED_PRIVATE_CIDRS:
 * everything that is not the public internet, plus Azure's platform address.
 */
const RANGES: ReadonlyArray<{ label: string; cidrs: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> }> = [
  { label: 'loopback', cidrs: [['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6']] },
  { label: 'unspecified', cidrs: [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']] },
  {
    label: 'private',
    cidrs: [['10.0.0.0', 8, 'ipv4'], ['172.16.0.0', 12, 'ipv4'], ['192.168.0.0', 16, 'ipv4'], ['fc00::', 7, 'ipv6']],
  },
  // 169.254.169.254 is the cloud instance metadata endpoint (Azure IMDS among others).
  { label: 'link-local (incl. metadata)', cidrs: [['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']] },
  { label: 'carrier-grade NAT', cidrs: [['100.64.0.0', 10, 'ipv4']] },
  { label: 'multicast', cidrs: [['224.0.0.0', 4, 'ipv4'], ['ff00::', 8, 'ipv6']] },
  {
    label: 'reserved',
    cidrs: [
      ['192.0.0.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['fec0::', 10, 'ipv6'],
      // Deprecated IPv4-compatible IPv6 (::a.b.c.d): nothing public lives there.
      ['::', 96, 'ipv6'],
    ],
  },
  // Azure's virtual public IP for DHCP, DNS and health probes: reachable from every Azure host.
  { label: 'Azure platform', cidrs: [['168.63.129.16', 32, 'ipv4']] },
];

const LISTS = RANGES.map(({ label, cidrs }) => {
  const list = new BlockList();
  for (const [network, prefix, family] of cidrs) list.addSubnet(network, prefix, family);
  return { label, list };
});

export type IpFamily = 'ipv4' | 'ipv6';

/** An IP address in a canonical comparable form: IPv4-mapped and NAT64 IPv6 become the IPv4 they embed. */
export interface NormalizedAddress {
  address: string;
  family: IpFamily;
}

/** Undoes IPv6 wrappers around IPv4 (`::ffff:127.0.0.1`, `::ffff:7f00:1`, `64:ff9b::a00:1`), which reach the same host. */
export function normalizeAddress(address: string): NormalizedAddress | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return { address: bare, family: 'ipv4' };
  if (!isIPv6(bare)) return undefined;
  const canonical = canonicalIPv6(bare);
  const embedded = embeddedIPv4(canonical);
  return embedded ? { address: embedded, family: 'ipv4' } : { address: canonical, family: 'ipv6' };
}

/** The WHATWG URL serializer writes IPv6 in one canonical form (compressed, lower-case, hex tail). */
function canonicalIPv6(v6: string): string {
  return new URL(`http://[${v6}]/`).hostname.replace(/^\[|\]$/g, '');
}

/** The label of the blocked range an address falls in, or undefined for a public address. */
export function blockedRangeOf(address: NormalizedAddress): string | undefined {
  return LISTS.find(({ list }) => list.check(address.address, address.family))?.label;
}

/** IPv4-mapped, NAT64 well-known prefix, IPv4-translated: each reaches the embedded IPv4 host. */
const MAPPED_PREFIXES = [/^::ffff:/i, /^64:ff9b::/i, /^::ffff:0:/i];

function embeddedIPv4(v6: string): string | undefined {
  for (const prefix of MAPPED_PREFIXES) {
    if (!prefix.test(v6)) continue;
    const tail = v6.replace(prefix, '');
    if (isIPv4(tail)) return tail;
    const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(tail);
    if (hex) {
      const high = parseInt(hex[1] ?? '0', 16);
      const low = parseInt(hex[2] ?? '0', 16);
      return [high >> 8, high & 255, low >> 8, low & 255].join('.');
    }
  }
  return undefined;
}
