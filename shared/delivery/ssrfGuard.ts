import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

import type { AllowedCidrs } from './allowedCidrs';
import { blockedRangeOf, normalizeAddress, reachableTargets } from './blockedRanges';

/** Resolves a host name to every address it has (dns.lookup, as the OS would). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export type AddressCheck = { allowed: true } | { allowed: false; reason: string };

export type HostCheck =
  | { ok: true; addresses: LookupAddress[] }
  /** `refused`: a resolved address is off limits (permanent); otherwise DNS failed (retryable). */
  | { ok: false; refused: boolean; error: string };

/** How many address verdicts a guard keeps (a few endpoints' addresses in practice). */
export const CHECKED_ADDRESSES_MAX = 1024;

/** Thrown from the connection lookup when a host resolves somewhere it must not go. */
export class TargetRefusedError extends Error {
  readonly code = 'ERR_SWITCHYARD_TARGET_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

/**
 * Keeps webhooks off private networks: refuses every address the IANA special-purpose registries
 * mark not globally reachable (loopback, private, link-local and so the metadata endpoint, shared,
 * documentation, benchmarking, reserved...), multicast, also when carried in IPv6
 * (`::ffff:127.0.0.1`, 6to4 `2002:7f00:1::`, Teredo, NAT64), unless SWITCHYARD_ALLOWED_PRIVATE_CIDRS allows them. `lookup` plugs
 * into the HTTP agent so the connection goes to the very addresses that were checked: a DNS
 * answer that changes between check and connect (rebinding) cannot slip through.
 */
export class SsrfGuard {
  /**
   * Verdicts by address: a pure function of the address and the fixed allow-list, asked on every
   * delivery for the same few endpoints. Bounded: emptied when it reaches CHECKED_ADDRESSES_MAX.
   */
  private readonly checked = new Map<string, AddressCheck>();

  constructor(
    private readonly allowed: AllowedCidrs,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /**
   * Every address a connection may end at is checked: the address itself and any IPv4 an IPv6
   * form carries (6to4, Teredo, NAT64, IPv4-compatible); one blocked and not allowed refuses.
   */
  checkAddress(address: string): AddressCheck {
    const known = this.checked.get(address);
    if (known) return known;
    const check = this.judgeAddress(address);
    if (this.checked.size >= CHECKED_ADDRESSES_MAX) this.checked.clear();
    this.checked.set(address, check);
    return check;
  }

  private judgeAddress(address: string): AddressCheck {
    const targets = reachableTargets(address);
    if (!targets) return { allowed: false, reason: `${address} is not an IP address` };
    // The carried IPv4 addresses first: they say best why a form is refused.
    for (const target of [...targets.slice(1), targets[0]]) {
      if (!target) continue;
      const range = blockedRangeOf(target.address);
      if (range === undefined || this.allowed.contains(target.address)) continue;
      const what = target.embeddedBy
        ? `${address} carries ${target.address.address} (${target.embeddedBy}), a ${range} address`
        : `${address} is a ${range} address`;
      return {
        allowed: false,
        reason: `${what}; webhooks may not target it unless SWITCHYARD_ALLOWED_PRIVATE_CIDRS allows it`,
      };
    }
    return { allowed: true };
  }

  /** Resolves a host (or takes an IP literal) and keeps the addresses it may connect to; none -> refused. */
  async checkHost(hostname: string): Promise<HostCheck> {
    const host = hostname.replace(/^\[|\]$/g, '');
    let addresses: LookupAddress[];
    try {
      addresses = normalizeAddress(host)
        ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
        : await this.resolve(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EDNS';
      return { ok: false, refused: false, error: `could not resolve ${host}: ${code}` };
    }
    if (addresses.length === 0)
      return { ok: false, refused: false, error: `could not resolve ${host}: no addresses` };
    // Only checked addresses are ever connected to, so a host with some off-limits addresses
    // (localhost as ::1 and 127.0.0.1 with only 127.0.0.0/8 allowed) still works through the rest.
    const usable = addresses.filter(({ address }) => this.checkAddress(address).allowed);
    if (usable.length > 0) return { ok: true, addresses: usable };
    const first = this.checkAddress(addresses[0]?.address ?? '');
    const reason = first.allowed ? 'no usable address' : first.reason;
    return { ok: false, refused: true, error: `refused ${host}: ${reason}` };
  }

  /** A `lookup` for net/tls connect (undici Agent `connect.lookup`) that resolves and checks in one step. */
  readonly lookup: LookupFunction = (hostname, options: LookupOptions, callback) => {
    this.checkHost(hostname).then(
      (check) => {
        if (!check.ok) {
          const error: NodeJS.ErrnoException = check.refused
            ? new TargetRefusedError(check.error)
            : new Error(check.error);
          if (!check.refused) error.code = 'ENOTFOUND';
          callback(error, '', 0);
          return;
        }
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? check.addresses.filter((a) => a.family === wanted) : check.addresses;
        if (options.all) {
          callback(null, usable);
          return;
        }
        const first = usable[0];
        if (!first)
          callback(
            Object.assign(new Error(`no IPv${wanted} address for ${hostname}`), { code: 'ENOTFOUND' }),
            '',
            0,
          );
        else callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
