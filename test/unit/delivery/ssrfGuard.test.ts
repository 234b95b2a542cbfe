import type { LookupAddress } from 'node:dns';

import { InvalidCidrListError, parseAllowedCidrs } from '../../../shared/delivery/allowedCidrs';
import { CHECKED_ADDRESSES_MAX, SsrfGuard, TargetRefusedError } from '../../../shared/delivery/ssrfGuard';

const noAllowList = new SsrfGuard(parseAllowedCidrs(undefined));

/**
 * One row per entry of the IANA IPv4 Special-Purpose Address Registry
 * (iana.org/assignments/iana-ipv4-special-registry, RFC 6890 and updates): an address inside the
 * block and what the guard must say. Blocks the registry marks not globally reachable are refused
 * (the label names the block); the globally reachable ones are allowed.
 */
const IPV4_REGISTRY: ReadonlyArray<
  [block: string, address: string, expected: string /* a block's label, or 'allowed' */]
> = [
  ['0.0.0.0/8 this network', '0.1.2.3', 'this network'],
  ['0.0.0.0/32 this host on this network', '0.0.0.0', 'this network'],
  ['10.0.0.0/8 private-use', '10.255.0.1', 'private-use'],
  ['100.64.0.0/10 shared address space', '100.127.255.255', 'shared address space'],
  ['127.0.0.0/8 loopback', '127.0.0.1', 'loopback'],
  ['169.254.0.0/16 link local', '169.254.169.254', 'link-local'],
  ['172.16.0.0/12 private-use', '172.31.255.255', 'private-use'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.200', 'IETF protocol assignments'],
  ['192.0.0.0/29 IPv4 service continuity prefix', '192.0.0.1', 'IETF protocol assignments'],
  ['192.0.0.8/32 IPv4 dummy address', '192.0.0.8', 'IETF protocol assignments'],
  ['192.0.0.9/32 port control protocol anycast (global)', '192.0.0.9', 'allowed'],
  ['192.0.0.10/32 TURN anycast (global)', '192.0.0.10', 'allowed'],
  ['192.0.0.170/32 NAT64/DNS64 discovery', '192.0.0.170', 'IETF protocol assignments'],
  ['192.0.0.171/32 NAT64/DNS64 discovery', '192.0.0.171', 'IETF protocol assignments'],
  ['192.0.2.0/24 documentation TEST-NET-1', '192.0.2.1', 'TEST-NET-1'],
  ['192.31.196.0/24 AS112-v4 (global)', '192.31.196.1', 'allowed'],
  ['192.52.193.0/24 AMT (global)', '192.52.193.1', 'allowed'],
  ['192.88.99.0/24 deprecated 6to4 relay anycast', '192.88.99.1', '6to4 relay anycast'],
  ['192.168.0.0/16 private-use', '192.168.1.1', 'private-use'],
  ['192.175.48.0/24 direct delegation AS112 service (global)', '192.175.48.1', 'allowed'],
  ['198.18.0.0/15 benchmarking', '198.19.255.254', 'benchmarking'],
  ['198.51.100.0/24 documentation TEST-NET-2', '198.51.100.7', 'TEST-NET-2'],
  ['203.0.113.0/24 documentation TEST-NET-3', '203.0.113.9', 'TEST-NET-3'],
  ['240.0.0.0/4 reserved', '250.1.2.3', 'reserved'],
  ['255.255.255.255/32 limited broadcast', '255.255.255.255', 'reserved'],
];

/** One row per entry of the IANA IPv6 Special-Purpose Address Registry (iana-ipv6-special-registry). */
const IPV6_REGISTRY: ReadonlyArray<
  [block: string, address: string, expected: string /* a block's label, or 'allowed' */]
> = [
  ['::1/128 loopback', '::1', 'loopback'],
  ['::/128 unspecified', '::', 'unspecified'],
  ['::ffff:0:0/96 IPv4-mapped (judged as the IPv4)', '::ffff:169.254.169.254', 'link-local'],
  ['::ffff:0:0/96 IPv4-mapped, public IPv4', '::ffff:8.8.8.8', 'allowed'],
  ['64:ff9b::/96 IPv4/IPv6 translation (judged as the IPv4)', '64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::/96 IPv4/IPv6 translation, public IPv4', '64:ff9b::808:808', 'allowed'],
  ['64:ff9b:1::/48 local-use IPv4/IPv6 translation', '64:ff9b:1::808:808', 'local-use'],
  ['100::/64 discard-only', '100::1', 'discard-only'],
  ['100:0:0:1::/64 dummy IPv6 prefix', '100:0:0:1::1', 'dummy IPv6 prefix'],
  ['2001::/23 IETF protocol assignments', '2001:1ff::1', 'IETF protocol assignments'],
  ['2001::/32 Teredo, public server and client', '2001:0:808:808::f7f7:f7f7', 'allowed'],
  ['2001:1::1/128 port control protocol anycast (global)', '2001:1::1', 'allowed'],
  ['2001:1::2/128 TURN anycast (global)', '2001:1::2', 'allowed'],
  ['2001:1::3/128 DNS-SD SRP anycast (global)', '2001:1::3', 'allowed'],
  ['2001:1::/32 rest of it', '2001:1::4', 'IETF protocol assignments'],
  ['2001:2::/48 benchmarking', '2001:2::1', 'benchmarking'],
  ['2001:3::/32 AMT (global)', '2001:3::1', 'allowed'],
  ['2001:4:112::/48 AS112-v6 (global)', '2001:4:112::1', 'allowed'],
  ['2001:10::/28 deprecated ORCHID', '2001:10::1', 'ORCHID'],
  ['2001:20::/28 ORCHIDv2 (global)', '2001:20::1', 'allowed'],
  ['2001:30::/28 drone remote ID DETs (global)', '2001:30::1', 'allowed'],
  ['2001:db8::/32 documentation', '2001:db8::1', 'documentation'],
  ['2002::/16 6to4, public IPv4', '2002:808:808::1', 'allowed'],
  ['2620:4f:8000::/48 direct delegation AS112 service (global)', '2620:4f:8000::1', 'allowed'],
  ['3fff::/20 documentation', '3fff:fff::1', 'documentation'],
  ['5f00::/16 segment routing SIDs', '5f00::1', 'segment routing'],
  ['fc00::/7 unique local', 'fd12:3456::1', 'unique local'],
  ['fc00::/7 unique local (low half)', 'fc00::1', 'unique local'],
  ['fe80::/10 link-local', 'fe80::1', 'link-local'],
  ['fe80::/10 link-local with a zone', 'fe80::1%eth0', 'link-local'],
];

/** Not in the special-purpose registries, refused all the same. */
const OTHER_BLOCKED: ReadonlyArray<[what: string, address: string, expected: string]> = [
  ['IPv4 multicast 224.0.0.0/4', '239.255.255.250', 'multicast'],
  ['IPv6 multicast ff00::/8', 'ff02::1', 'multicast'],
  ['deprecated site-local fec0::/10', 'fec0::1', 'site-local'],
  ['IPv6 outside global unicast 2000::/3', '4000::1', 'outside global unicast'],
  ['64:ff9b::/32 outside the /96', '64:ff9b:0:1::1', 'outside global unicast'],
  ['Azure platform address', '168.63.129.16', 'Azure platform'],
  ['IPv4-compatible ::/96 (deprecated)', '::8.8.8.8', 'IPv4-compatible'],
];

/** IPv6 forms that carry an IPv4 address: refused when the IPv4 is, whatever the outer block says. */
const EMBEDDED: ReadonlyArray<[form: string, address: string, expected: string]> = [
  [
    'issue 12: local-use NAT64 of the metadata address',
    '64:ff9b:1::a9fe:a9fe',
    '169.254.169.254 (local-use NAT64), a link-local',
  ],
  ['issue 12: 6to4 of the metadata address', '2002:a9fe:a9fe::', '169.254.169.254 (6to4), a link-local'],
  ['issue 12: 6to4 of 127.0.0.1', '2002:7f00:1::', '127.0.0.1 (6to4), a loopback'],
  ['6to4 of a private address, any subnet', '2002:a00:1:ffff::1', '10.0.0.1 (6to4), a private-use'],
  [
    'Teredo with the metadata address as server',
    '2001:0:a9fe:a9fe::f7f7:f7f7',
    '169.254.169.254 (Teredo server), a link-local',
  ],
  // Client 127.0.0.1 obfuscated: 0x7f000001 XOR 0xffffffff = 0x80fffffe.
  [
    'Teredo with 127.0.0.1 as (obfuscated) client',
    '2001:0:808:808:0:0:80ff:fffe',
    '127.0.0.1 (Teredo client), a loopback',
  ],
  ['IPv4-compatible loopback', '::127.0.0.1', '127.0.0.1 (IPv4-compatible), a loopback'],
  ['IPv4-mapped loopback (dotted)', '::ffff:127.0.0.1', '::ffff:127.0.0.1 is a loopback'],
  ['IPv4-mapped loopback (hex)', '::ffff:7f00:1', 'is a loopback'],
  ['IPv4-mapped, full form', '0:0:0:0:0:ffff:a9fe:a9fe', 'is a link-local'],
  ['IPv4-mapped, upper case', '::FFFF:10.1.2.3', 'is a private-use'],
  ['SIIT IPv4-translated ::ffff:0:0:0/96', '::ffff:0:7f00:1', 'is a loopback'],
  ['NAT64 well-known prefix', '64:ff9b::192.168.0.1', 'is a private-use'],
];

describe('SSRF address classification', () => {
  it.each([...IPV4_REGISTRY, ...IPV6_REGISTRY])('%s: %s -> %s', (_block, address, expected) => {
    const check = noAllowList.checkAddress(address);
    if (expected === 'allowed') {
      expect(check).toEqual({ allowed: true });
    } else {
      expect(check.allowed).toBe(false);
      if (!check.allowed) expect(check.reason).toContain(expected);
    }
  });

  it.each(OTHER_BLOCKED)('refuses %s: %s (%s)', (_what, address, label) => {
    const check = noAllowList.checkAddress(address);
    expect(check.allowed).toBe(false);
    if (!check.allowed) expect(check.reason).toContain(label);
  });

  it.each(EMBEDDED)('refuses %s: %s', (_form, address, reason) => {
    const check = noAllowList.checkAddress(address);
    expect(check.allowed).toBe(false);
    if (!check.allowed) expect(check.reason).toContain(reason);
  });

  it.each([
    '8.8.8.8',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '169.255.0.1',
    '1.1.1.1',
    '192.0.1.1',
    '198.20.0.1',
    '2606:4700::1111',
    '2a00:1450::1',
  ])('allows public %s', (address) => {
    expect(noAllowList.checkAddress(address)).toEqual({ allowed: true });
  });

  it.each(['localhost', '0x7f.1', '2130706433', '127.1', '::ffff:127.1'])(
    'refuses %s: not an IP address',
    (address) => {
      expect(noAllowList.checkAddress(address)).toEqual({
        allowed: false,
        reason: `${address} is not an IP address`,
      });
    },
  );

  it.each([
    ['http://[64:ff9b:1::a9fe:a9fe]/', '169.254.169.254'],
    ['http://[2002:a9fe:a9fe::]/', '169.254.169.254'],
    ['http://[2002:7f00:1::]:17072/', '127.0.0.1'],
  ])('issue 12 reproducer %s: the host check refuses it without DNS', async (url, embedded) => {
    const guard = new SsrfGuard(parseAllowedCidrs(undefined), async () => {
      throw new Error('an IP literal must not be resolved');
    });
    const check = await guard.checkHost(new URL(url).hostname);
    expect(check).toEqual({ ok: false, refused: true, error: expect.stringContaining(embedded) });
  });

  it('judges embedded addresses against the allow-list too', () => {
    const loopbackAllowed = new SsrfGuard(parseAllowedCidrs('127.0.0.0/8'));
    // 6to4 of 127.0.0.1: the IPv4 is allowed and the 6to4 block itself is not special.
    expect(loopbackAllowed.checkAddress('2002:7f00:1::')).toEqual({ allowed: true });
    // Teredo: one carried address allowed, the other not.
    expect(loopbackAllowed.checkAddress('2001:0:a9fe:a9fe::80ff:fffe').allowed).toBe(false);
    // Local-use NAT64 is refused for its own block even when the carried IPv4 is allowed.
    expect(loopbackAllowed.checkAddress('64:ff9b:1::7f00:1').allowed).toBe(false);
  });

  // Verdicts are kept per address (each delivery asks for the same endpoint's): a kept verdict
  // must be the one a fresh guard gives, for every row, asked in any order and more than once.
  it('gives the same verdicts when asked again, and past the bound of kept verdicts', () => {
    const rows = [...IPV4_REGISTRY, ...IPV6_REGISTRY, ...OTHER_BLOCKED, ...EMBEDDED].map(
      ([, address]) => address,
    );
    const fresh = (address: string) => new SsrfGuard(parseAllowedCidrs('127.0.0.0/8')).checkAddress(address);
    const expected = rows.map(fresh);
    const warm = new SsrfGuard(parseAllowedCidrs('127.0.0.0/8'));
    expect(rows.map((address) => warm.checkAddress(address))).toEqual(expected);
    expect([...rows].reverse().map((address) => warm.checkAddress(address))).toEqual([...expected].reverse());
    // More distinct addresses than it keeps: it forgets and judges again, never wrongly.
    for (let i = 0; i <= CHECKED_ADDRESSES_MAX; i += 1) {
      expect(warm.checkAddress(`10.0.${i >> 8}.${i & 255}`).allowed).toBe(false);
    }
    expect(rows.map((address) => warm.checkAddress(address))).toEqual(expected);
    expect(warm.checkAddress('127.0.0.1')).toEqual({ allowed: true });
    expect(warm.checkAddress('8.8.8.8')).toEqual({ allowed: true });
  });
});

describe('allow-list (SWITCHYARD_ALLOWED_PRIVATE_CIDRS)', () => {
  it('allows addresses inside the listed CIDRs only', () => {
    const guard = new SsrfGuard(parseAllowedCidrs('127.0.0.0/8, 10.1.0.0/16 ,fd00::/8'));
    expect(guard.checkAddress('127.0.0.1')).toEqual({ allowed: true });
    expect(guard.checkAddress('::ffff:127.0.0.1')).toEqual({ allowed: true });
    expect(guard.checkAddress('10.1.200.3')).toEqual({ allowed: true });
    expect(guard.checkAddress('10.2.0.1').allowed).toBe(false);
    expect(guard.checkAddress('fd00::5')).toEqual({ allowed: true });
    expect(guard.checkAddress('fc00::5').allowed).toBe(false);
    expect(guard.checkAddress('::1').allowed).toBe(false);
    expect(guard.checkAddress('169.254.169.254').allowed).toBe(false);
  });

  it('takes a bare address as a single host and an IPv4-mapped network as its IPv4 range', () => {
    const guard = new SsrfGuard(parseAllowedCidrs('192.168.1.10,::ffff:10.0.0.0/104'));
    expect(guard.checkAddress('192.168.1.10')).toEqual({ allowed: true });
    expect(guard.checkAddress('192.168.1.11').allowed).toBe(false);
    expect(guard.checkAddress('10.9.9.9')).toEqual({ allowed: true });
  });

  it('treats an empty setting as allowing nothing', () => {
    expect(parseAllowedCidrs('').cidrs).toEqual([]);
    expect(parseAllowedCidrs(' , ').cidrs).toEqual([]);
  });

  it.each([
    ['10.0.0.0/33', 'invalid prefix length (0-32)'],
    ['fd00::/129', 'invalid prefix length (0-128)'],
    ['10.0.0.0/x', 'invalid prefix length'],
    ['10.0.0/8', 'not an IP address or CIDR'],
    ['localhost', 'not an IP address or CIDR'],
    ['10.0.0.0/8/8', 'not an IP address or CIDR'],
  ])('rejects %s with a clear error', (text, message) => {
    expect(() => parseAllowedCidrs(`127.0.0.0/8,${text}`)).toThrow(InvalidCidrListError);
    expect(() => parseAllowedCidrs(text)).toThrow(`SWITCHYARD_ALLOWED_PRIVATE_CIDRS: "${text}"`);
    expect(() => parseAllowedCidrs(text)).toThrow(message);
  });
});

describe('host checks and the pinned lookup', () => {
  const resolverOf =
    (answers: Record<string, LookupAddress[]>) =>
    async (hostname: string): Promise<LookupAddress[]> => {
      const answer = answers[hostname];
      if (!answer) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      return answer;
    };

  const guard = new SsrfGuard(
    parseAllowedCidrs(undefined),
    resolverOf({
      'public.example': [
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800::1', family: 6 },
      ],
      'mixed.example': [
        { address: '10.0.0.5', family: 4 },
        { address: '93.184.216.34', family: 4 },
      ],
      'dualstack-localhost': [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ],
      'metadata.example': [{ address: '169.254.169.254', family: 4 }],
    }),
  );

  it('keeps only the addresses a host may be reached at; none left means refused', async () => {
    expect(await guard.checkHost('public.example')).toMatchObject({ ok: true });
    expect(await guard.checkHost('mixed.example')).toEqual({
      ok: true,
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
    expect(await guard.checkHost('metadata.example')).toEqual({
      ok: false,
      refused: true,
      error: expect.stringMatching(/^refused metadata\.example: 169\.254\.169\.254 is a link-local/),
    });
    expect(await guard.checkHost('dualstack-localhost')).toMatchObject({ ok: false, refused: true });
    const localOnly = new SsrfGuard(parseAllowedCidrs('127.0.0.0/8'), async () => [
      { address: '::1', family: 6 },
      { address: '127.0.0.1', family: 4 },
    ]);
    expect(await localOnly.checkHost('localhost')).toEqual({
      ok: true,
      addresses: [{ address: '127.0.0.1', family: 4 }],
    });
  });

  it('checks IP literals without DNS, with or without brackets', async () => {
    expect(await guard.checkHost('[::1]')).toMatchObject({ ok: false, refused: true });
    expect(await guard.checkHost('8.8.8.8')).toMatchObject({ ok: true });
  });

  it('reports DNS failure as not refused (retryable)', async () => {
    expect(await guard.checkHost('missing.example')).toEqual({
      ok: false,
      refused: false,
      error: 'could not resolve missing.example: ENOTFOUND',
    });
  });

  function lookup(hostname: string, options: { all?: boolean; family?: number }) {
    return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family: number | undefined }>(
      (resolve) => {
        guard.lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
      },
    );
  }

  it('hands the connection only checked addresses, in both lookup forms', async () => {
    expect(await lookup('public.example', {})).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    expect(await lookup('public.example', { family: 6 })).toEqual({
      error: null,
      address: '2606:2800::1',
      family: 6,
    });
    expect((await lookup('public.example', { all: true })).address).toHaveLength(2);
    expect(await lookup('mixed.example', { all: true })).toMatchObject({
      error: null,
      address: [{ address: '93.184.216.34' }],
    });
    const refused = await lookup('metadata.example', { all: true });
    expect(refused.error).toBeInstanceOf(TargetRefusedError);
    expect((await lookup('public.example', { family: 6 })).address).toBe('2606:2800::1');
  });
});
