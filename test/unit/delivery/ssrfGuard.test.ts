import type { LookupAddress } from 'node:dns';

import { InvalidCidrListError, parseAllowedCidrs } from '../../../shared/delivery/allowedCidrs';
import { SsrfGuard, TargetRefusedError } from '../../../shared/delivery/ssrfGuard';

const noAllowList = new SsrfGuard(parseAllowedCidrs(undefined));

describe('SSRF address classification', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['168.63.129.16', 'Azure platform'],
    // IPv4 wrapped in IPv6 reaches the same host.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::FFFF:10.1.2.3', 'private'],
    ['64:ff9b::192.168.0.1', 'private'],
    ['::ffff:0:7f00:1', 'loopback'],
    ['::127.0.0.1', 'reserved'],
  ])('refuses %s (%s)', (address, label) => {
    const check = noAllowList.checkAddress(address);
    expect(check.allowed).toBe(false);
    if (!check.allowed) expect(check.reason).toContain(label);
  });

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '100.128.0.1', '169.255.0.1', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows public %s',
    (address) => {
      expect(noAllowList.checkAddress(address)).toEqual({ allowed: true });
    },
  );

  it('refuses what is not an IP address', () => {
    expect(noAllowList.checkAddress('localhost').allowed).toBe(false);
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
      'public.example': [{ address: '93.184.216.34', family: 4 }, { address: '2606:2800::1', family: 6 }],
      'mixed.example': [{ address: '10.0.0.5', family: 4 }, { address: '93.184.216.34', family: 4 }],
      'dualstack-localhost': [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }],
      'metadata.example': [{ address: '169.254.169.254', family: 4 }],
    }),
  );

  it('keeps only the addresses a host may be reached at; none left means refused', async () => {
    expect(await guard.checkHost('public.example')).toMatchObject({ ok: true });
    expect(await guard.checkHost('mixed.example')).toEqual({ ok: true, addresses: [{ address: '93.184.216.34', family: 4 }] });
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
    expect(await localOnly.checkHost('localhost')).toEqual({ ok: true, addresses: [{ address: '127.0.0.1', family: 4 }] });
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
    return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family: number | undefined }>((resolve) => {
      guard.lookup(hostname, options, (error, address, family) => resolve({ error, address, family }));
    });
  }

  it('hands the connection only checked addresses, in both lookup forms', async () => {
    expect(await lookup('public.example', {})).toEqual({ error: null, address: '93.184.216.34', family: 4 });
    expect(await lookup('public.example', { family: 6 })).toEqual({ error: null, address: '2606:2800::1', family: 6 });
    expect((await lookup('public.example', { all: true })).address).toHaveLength(2);
    expect(await lookup('mixed.example', { all: true })).toMatchObject({ error: null, address: [{ address: '93.184.216.34' }] });
    const refused = await lookup('metadata.example', { all: true });
    expect(refused.error).toBeInstanceOf(TargetRefusedError);
    expect((await lookup('public.example', { family: 6 })).address).toBe('2606:2800::1');
  });
});
