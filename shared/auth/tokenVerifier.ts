import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { z } from 'zod';
import { IssuerUnavailableError, TokenRejectedError, type VerifiedToken } from './authenticate';
import { grantsFromRoles } from './permissions';

export interface TokenVerifierOptions {
  /** The `iss` tokens must carry, e.g. https://login.microsoftonline.com/<tenant>/v2.0. */
  issuer: string;
  /** The `aud` tokens must carry: the API's application (client) id. */
  audience: string;
  /** How long after a fetch of the keys an unknown `kid` waits for the next; default 30 s. */
  keysCooldownMs?: number;
}

/** Tolerated difference between our clock and the issuer's for `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 60;
const FETCH_TIMEOUT_MS = 5_000;
/** Keys are refetched at least this often, and at once (after the cooldown) for an unknown `kid`. */
const KEYS_MAX_AGE_MS = 10 * 60_000;
const KEYS_COOLDOWN_MS = 30_000;
/** Entra ID signs with RS256; ES256 for issuers that use EC keys. Never `none` or HMAC. */
const ALGORITHMS = ['RS256', 'ES256'];

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.url() });

const claimsSchema = z.object({
  roles: z.array(z.string()).optional(),
  oid: z.string().optional(),
  azp: z.string().optional(),
  appid: z.string().optional(),
  sub: z.string().optional(),
});

/**
 * Verifies access tokens of one issuer with jose: signature against the issuer's JWKS (found via
 * its OpenID discovery document, cached, refetched when a token names a key it does not know,
 * so key rollover needs nothing from us), issuer, audience, expiry and not-before.
 */
export function createTokenVerifier(
  options: TokenVerifierOptions,
): (token: string) => Promise<VerifiedToken> {
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const keys = (): Promise<ReturnType<typeof createRemoteJWKSet>> => {
    keySet ??= discoverKeys(options.issuer, options.keysCooldownMs ?? KEYS_COOLDOWN_MS).catch(
      (error: unknown) => {
        keySet = undefined; // the next request tries again
        throw error;
      },
    );
    return keySet;
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await keys(), {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      throw classify(error);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw new TokenRejectedError('its roles or subject claims are malformed');
    const callerId = claims.data.oid ?? claims.data.azp ?? claims.data.appid ?? claims.data.sub;
    if (callerId === undefined) throw new TokenRejectedError('it names no caller (oid, azp, appid or sub)');
    return { callerId, grants: grantsFromRoles(claims.data.roles ?? []) };
  };
}

async function discoverKeys(
  issuer: string,
  cooldownMs: number,
): Promise<ReturnType<typeof createRemoteJWKSet>> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: unknown;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`discovery document answered ${response.status}`);
    document = await response.json();
  } catch (error) {
    throw new IssuerUnavailableError(
      `OpenID discovery at ${url} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = discoverySchema.safeParse(document);
  if (!parsed.success) throw new IssuerUnavailableError(`${url} is not an OpenID discovery document`);
  if (parsed.data.issuer !== issuer) {
    throw new IssuerUnavailableError(
      `${url} names issuer ${parsed.data.issuer}, not the configured ${issuer}`,
    );
  }
  return createRemoteJWKSet(new URL(parsed.data.jwks_uri), {
    timeoutDuration: FETCH_TIMEOUT_MS,
    cacheMaxAge: KEYS_MAX_AGE_MS,
    cooldownDuration: cooldownMs,
  });
}

/** jose's verdict as ours: the token's fault (401) or the issuer's (503). */
function classify(error: unknown): Error {
  if (error instanceof IssuerUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new TokenRejectedError('it has expired (exp)');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new TokenRejectedError(`its ${error.claim} claim is not accepted (${error.reason})`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenRejectedError('its signature does not verify');
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenRejectedError("no signing key of the issuer matches its header's kid");
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new TokenRejectedError('its signing algorithm is not accepted');
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejectedError('it is malformed');
  }
  // Timeouts, unreachable or broken JWKS endpoint: the issuer, not the caller.
  return new IssuerUnavailableError(
    `the issuer's keys: ${error instanceof Error ? error.message : String(error)}`,
  );
}
