import { BlockList, isIPv4, isIPv6, SocketAddress } from 'node:net';

/**
 * Where a webhook must not go unless SWITCHYARD_ALLOWED_PRIVATE_CIDRS allows it: every block the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) mark as not
 * globally reachable, multicast, the deprecated IPv6 forms, IPv6 outside global unicast 2000::/3,
 * and Azure's platform address. IPv6 forms that carry an IPv4 address are judged by that address
 * too (see `reachableTargets`). docs/operations.md lists the blocks with their sources.
 */
interface Block {
  cidr: string;
  label: string;
}

const IPV4_BLOCKED: readonly Block[] = [
  { cidr: '0.0.0.0/8', label: 'unspecified ("this network", RFC 791)' },
  { cidr: '10.0.0.0/8', label: 'private-use (RFC 1918)' },
  { cidr: '100.64.0.0/10', label: 'shared address space / carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', label: 'loopback (RFC 1122)' },
  // 169.254.169.254 is the cloud instance metadata endpoint (Azure IMDS among others).
  { cidr: '169.254.0.0/16', label: 'link-local (RFC 3927, includes the metadata endpoint)' },
  { cidr: '172.16.0.0/12', label: 'private-use (RFC 1918)' },
  { cidr: '192.0.0.0/24', label: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', label: 'documentation TEST-NET-1 (RFC 5737)' },
  { cidr: '192.88.99.0/24', label: 'deprecated 6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', label: 'private-use (RFC 1918)' },
  { cidr: '198.18.0.0/15', label: 'benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', label: 'documentation TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', label: 'documentation TEST-NET-3 (RFC 5737)' },
  // Not in the special-purpose registry but never a unicast web server: the multicast registry.
  { cidr: '224.0.0.0/4', label: 'multicast (RFC 5771)' },
  // Includes 255.255.255.255/32, limited broadcast (RFC 919).
  { cidr: '240.0.0.0/4', label: 'reserved (RFC 1112)' },
  // Azure's virtual public IP for DHCP, DNS and health probes: reachable from every Azure host.
  { cidr: '168.63.129.16/32', label: 'Azure platform (168.63.129.16)' },
];

/** More specific registry entries inside a blocked block that the registry marks globally reachable. */
const IPV4_GLOBAL_EXCEPTIONS: readonly string[] = [
  '192.0.0.9/32', // Port Control Protocol anycast (RFC 7723)
  '192.0.0.10/32', // TURN anycast (RFC 8155)
];

const IPV6_BLOCKED: readonly Block[] = [
  { cidr: '::1/128', label: 'loopback (RFC 4291)' },
  { cidr: '::/128', label: 'unspecified (RFC 4291)' },
  // Deprecated; nothing public lives there. What it embeds is checked as well.
  { cidr: '::/96', label: 'IPv4-compatible, deprecated (RFC 4291)' },
  { cidr: '64:ff9b:1::/48', label: 'local-use IPv4/IPv6 translation (RFC 8215)' },
  { cidr: '100::/64', label: 'discard-only (RFC 6666)' },
  { cidr: '100:0:0:1::/64', label: 'dummy IPv6 prefix (RFC 9780)' },
  { cidr: '2001::/23', label: 'IETF protocol assignments (RFC 2928)' },
  { cidr: '2001:2::/48', label: 'benchmarking (RFC 5180)' },
  { cidr: '2001:10::/28', label: 'deprecated ORCHID (RFC 4843)' },
  { cidr: '2001:db8::/32', label: 'documentation (RFC 3849)' },
  { cidr: '3fff::/20', label: 'documentation (RFC 9637)' },
  { cidr: '5f00::/16', label: 'segment routing SIDs (RFC 9602)' },
  { cidr: 'fc00::/7', label: 'unique local (RFC 4193)' },
  { cidr: 'fe80::/10', label: 'link-local (RFC 4291)' },
  { cidr: 'fec0::/10', label: 'deprecated site-local (RFC 3879)' },
  { cidr: 'ff00::/8', label: 'multicast (RFC 4291)' },
];

/** Globally reachable entries inside 2001::/23, and Teredo, which is judged by the addresses it embeds. */
const IPV6_GLOBAL_EXCEPTIONS: readonly string[] = [
  '2001::/32', // Teredo (RFC 4380): see embeddedIPv4
  '2001:1::1/128', // Port Control Protocol anycast (RFC 7723)
  '2001:1::2/128', // TURN anycast (RFC 8155)
  '2001:1::3/128', // DNS-SD service registration protocol anycast (RFC 9665)
  '2001:3::/32', // AMT (RFC 7450)
  '2001:4:112::/48', // AS112-v6 (RFC 7535)
  '2001:20::/28', // ORCHIDv2 (RFC 7343)
  '2001:30::/28', // drone remote ID DETs (RFC 9374)
];

/** The IANA IPv6 Address Space registry assigns global unicast from 2000::/3 only. */
const GLOBAL_UNICAST = blockListOf(['2000::/3']);
const OUTSIDE_GLOBAL_UNICAST = 'outside global unicast 2000::/3 (IANA IPv6 address space)';

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix = ''] = cidr.split('/');
    list.addSubnet(network, Number(prefix), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  return list;
}

/** Most specific first, so an address gets the label of the smallest block it is in. */
const LABELLED = [...IPV4_BLOCKED, ...IPV6_BLOCKED]
  .map(({ cidr, label }) => ({ list: blockListOf([cidr]), label, prefix: Number(cidr.split('/')[1]) }))
  .sort((a, b) => b.prefix - a.prefix);
const GLOBAL_EXCEPTIONS = blockListOf([...IPV4_GLOBAL_EXCEPTIONS, ...IPV6_GLOBAL_EXCEPTIONS]);
/** Every labelled block in one list: a globally reachable address is told in one check. */
const ANY_BLOCKED = blockListOf([...IPV4_BLOCKED, ...IPV6_BLOCKED].map(({ cidr }) => cidr));

export type IpFamily = 'ipv4' | 'ipv6';

/** An IP address in a canonical comparable form: IPv6 forms that only wrap an IPv4 become that IPv4. */
export interface NormalizedAddress {
  address: string;
  family: IpFamily;
}

/** An address a connection to some address may end up at, and how it is carried. */
export interface ReachableTarget {
  address: NormalizedAddress;
  /** The IPv6 form that carries this IPv4 address (`6to4`, `Teredo server`...); absent for the address itself. */
  embeddedBy?: string;
}

/**
 * The address in canonical form. IPv4-mapped (`::ffff:127.0.0.1`), SIIT IPv4-translated
 * (`::ffff:0:7f00:1`) and the NAT64 well-known prefix (`64:ff9b::a00:1`) reach exactly the IPv4
 * they wrap, so they become it. Undefined when it is not an IP address (`0x7f.1` is not).
 */
export function normalizeAddress(address: string): NormalizedAddress | undefined {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) return { address: bare, family: 'ipv4' };
  if (!isIPv6(bare)) return undefined;
  const canonical = canonicalIPv6(bare);
  const wrapped = wrappedIPv4(wordsOf(canonical));
  return wrapped ? { address: wrapped, family: 'ipv4' } : { address: canonical, family: 'ipv6' };
}

/**
 * The WHATWG URL serializer writes IPv6 in one canonical form (compressed, lower-case, a dotted
 * IPv4 tail turned into hex). A general IP library was tried: ipaddr.js 2.5 reads `::8.8.8.8` as
 * `::ffff:8.8.8.8`, a different address, so the URL parser Node already uses for the URL decides.
 */
function canonicalIPv6(v6: string): string {
  return new URL(`http://[${v6}]/`).hostname.replace(/^\[|\]$/g, '');
}

/** The eight 16-bit words of a canonical IPv6 address (hex groups, at most one `::`). */
function wordsOf(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * The address and every IPv4 address an IPv6 form embeds: a connection may end at any of them
 * (6to4 and Teredo relays, NAT64 translators), so each is checked. Undefined when not an IP.
 */
export function reachableTargets(address: string): ReachableTarget[] | undefined {
  const normalized = normalizeAddress(address);
  if (!normalized) return undefined;
  const targets: ReachableTarget[] = [{ address: normalized }];
  if (normalized.family === 'ipv6') {
    for (const { form, ipv4 } of embeddedIPv4(wordsOf(normalized.address))) {
      targets.push({ address: { address: ipv4, family: 'ipv4' }, embeddedBy: form });
    }
  }
  return targets;
}

/** The label of the blocked range an address falls in, or undefined for a globally reachable address. */
export function blockedRangeOf(address: NormalizedAddress): string | undefined {
  // One parsed address for every list: BlockList.check(string) parses its argument on each call.
  let socketAddress: SocketAddress;
  try {
    socketAddress = new SocketAddress({ address: address.address, family: address.family });
  } catch {
    // Not an address of that family: in no list (as BlockList.check answers for it).
    return address.family === 'ipv6' ? OUTSIDE_GLOBAL_UNICAST : undefined;
  }
  if (GLOBAL_EXCEPTIONS.check(socketAddress)) return undefined;
  if (!ANY_BLOCKED.check(socketAddress)) {
    return address.family === 'ipv6' && !GLOBAL_UNICAST.check(socketAddress)
      ? OUTSIDE_GLOBAL_UNICAST
      : undefined;
  }
  const labelled = LABELLED.find(({ list }) => list.check(socketAddress));
  if (labelled) return labelled.label;
  if (address.family === 'ipv6' && !GLOBAL_UNICAST.check(socketAddress)) return OUTSIDE_GLOBAL_UNICAST;
  return undefined;
}

/** The IPv4 of 16-bit words 6 and 7 (or any other pair), as dotted quad. */
function ipv4Of(high: number, low: number): string {
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

function startsWith(words: readonly number[], prefix: readonly number[]): boolean {
  return prefix.every((word, index) => words[index] === word);
}

/** IPv4-mapped ::ffff:0:0/96, SIIT ::ffff:0:0:0/96 (RFC 2765) and NAT64 64:ff9b::/96 (RFC 6052). */
function wrappedIPv4(words: readonly number[]): string | undefined {
  const wrappers = [
    [0, 0, 0, 0, 0, 0xffff],
    [0, 0, 0, 0, 0xffff, 0],
    [0x64, 0xff9b, 0, 0, 0, 0],
  ];
  return wrappers.some((prefix) => startsWith(words, prefix))
    ? ipv4Of(words[6] ?? 0, words[7] ?? 0)
    : undefined;
}

/** The IPv4 addresses carried inside an IPv6 address that is not just a wrapper. */
function embeddedIPv4(words: readonly number[]): Array<{ form: string; ipv4: string }> {
  const w = (index: number) => words[index] ?? 0;
  // 6to4 (RFC 3056): 2002:AABB:CCDD::/48 routes to the IPv4 AA.BB.CC.DD.
  if (w(0) === 0x2002) return [{ form: '6to4', ipv4: ipv4Of(w(1), w(2)) }];
  // Teredo (RFC 4380): server IPv4 in bits 32-63, client IPv4 XOR 0xffffffff in bits 96-127.
  if (w(0) === 0x2001 && w(1) === 0) {
    return [
      { form: 'Teredo server', ipv4: ipv4Of(w(2), w(3)) },
      { form: 'Teredo client', ipv4: ipv4Of(~w(6) & 0xffff, ~w(7) & 0xffff) },
    ];
  }
  // Local-use NAT64 (RFC 8215) with the /96 layout of RFC 6052: the IPv4 in the last 32 bits.
  if (startsWith(words, [0x64, 0xff9b, 1])) return [{ form: 'local-use NAT64', ipv4: ipv4Of(w(6), w(7)) }];
  // IPv4-compatible ::a.b.c.d (RFC 4291, deprecated); :: and ::1 are not of this form.
  if (startsWith(words, [0, 0, 0, 0, 0, 0]) && (w(6) !== 0 || w(7) > 1)) {
    return [{ form: 'IPv4-compatible', ipv4: ipv4Of(w(6), w(7)) }];
  }
  return [];
}
