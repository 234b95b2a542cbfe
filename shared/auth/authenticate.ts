import { serviceUnavailableProblem, unauthorizedProblem } from '../http/problems';
import { apiKeyMatches, apiKeyName, looksLikeApiKey, secretsEqual } from './apiKey';
import { grantsOfKey, type ApiKeyRecord, type Caller } from './caller';
import type { Grant } from './permissions';

/** The credential a request carries, as read from its headers. */
export interface PresentedCredential {
  /** The `Authorization` header. */
  authorization: string | null;
  /** The `x-functions-key` header: a key (never a token), so older commands keep working. */
  functionsKey: string | null;
}

/** A verified access token: who it is and what its roles grant. */
export interface VerifiedToken {
  callerId: string;
  grants: Grant[];
}

/** Why a token was refused (shown to the caller: must not contain the token). */
export class TokenRejectedError extends Error {
  override name = 'TokenRejectedError';
}

/** The issuer's keys could not be fetched: not the caller's fault, so 503. */
export class IssuerUnavailableError extends Error {
  override name = 'IssuerUnavailableError';
}

export interface AuthenticationDependencies {
  /** The bootstrap admin key (setting SWITCHYARD_ADMIN_KEY); undefined when none is set. */
  bootstrapKey: string | undefined;
  /** Verifies an access token; undefined when no issuer is configured (tokens are refused). */
  verifyToken: ((token: string) => Promise<VerifiedToken>) | undefined;
  /** The stored key of this name (cached), or undefined. */
  findApiKey(name: string): Promise<ApiKeyRecord | undefined>;
  /** Called after a key authenticated: records when it was last used (throttled by the caller). */
  keyUsed(name: string): void;
  now(): Date;
}

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Who the request comes from, or a 401 ProblemError saying what is missing or wrong (never the
 * credential itself). One path for every environment: the bootstrap admin key, a Switchyard
 * API key, or an access token of the configured issuer, all as `Authorization: Bearer ...`.
 */
export async function authenticate(
  presented: PresentedCredential,
  dependencies: AuthenticationDependencies,
): Promise<Caller> {
  const credential = credentialOf(presented);
  if (credential.kind === 'none') {
    throw unauthorizedProblem(
      'No credential was sent: use Authorization: Bearer <access token or API key>.',
      false,
    );
  }
  if (credential.kind === 'malformed') {
    throw unauthorizedProblem(
      'The Authorization header must use the Bearer scheme: Authorization: Bearer <access token or API key>.',
      true,
    );
  }
  const { value, fromAuthorization } = credential;
  if (dependencies.bootstrapKey !== undefined && secretsEqual(value, dependencies.bootstrapKey)) {
    return {
      id: 'bootstrap-admin-key',
      kind: 'bootstrapKey',
      grants: [{ permission: 'admin', topics: '*' }],
    };
  }
  if (looksLikeApiKey(value)) return authenticateApiKey(value, dependencies);
  if (fromAuthorization && JWT_SHAPE.test(value)) return authenticateToken(value, dependencies);
  throw unauthorizedProblem(
    'The credential is not valid: send an access token or a Switchyard API key (sk_...).',
    true,
  );
}

type Credential =
  { kind: 'none' } | { kind: 'malformed' } | { kind: 'present'; value: string; fromAuthorization: boolean };

function credentialOf({ authorization, functionsKey }: PresentedCredential): Credential {
  if (authorization !== null && authorization.trim() !== '') {
    const match = BEARER.exec(authorization.trim());
    return match?.[1] ? { kind: 'present', value: match[1], fromAuthorization: true } : { kind: 'malformed' };
  }
  if (functionsKey !== null && functionsKey.trim() !== '') {
    return { kind: 'present', value: functionsKey.trim(), fromAuthorization: false };
  }
  return { kind: 'none' };
}

async function authenticateApiKey(key: string, dependencies: AuthenticationDependencies): Promise<Caller> {
  const name = apiKeyName(key);
  if (name === undefined) throw unauthorizedProblem('The API key is malformed.', true);
  const record = await dependencies.findApiKey(name);
  // Unknown and wrong secret answer alike, so the answer does not tell which names exist.
  if (!record || !apiKeyMatches(key, record.keyHash)) {
    throw unauthorizedProblem('The API key is not valid (unknown or revoked).', true);
  }
  if (record.expiresAt !== undefined && Date.parse(record.expiresAt) <= dependencies.now().getTime()) {
    throw unauthorizedProblem(`The API key ${name} expired at ${record.expiresAt}.`, true);
  }
  dependencies.keyUsed(name);
  return { id: `key:${name}`, kind: 'apiKey', grants: grantsOfKey(record) };
}

async function authenticateToken(token: string, dependencies: AuthenticationDependencies): Promise<Caller> {
  if (!dependencies.verifyToken) {
    throw unauthorizedProblem(
      'Access tokens are not accepted here: no token issuer is configured (SWITCHYARD_AUTH_ISSUER).',
      true,
    );
  }
  try {
    const verified = await dependencies.verifyToken(token);
    return { id: `token:${verified.callerId}`, kind: 'token', grants: verified.grants };
  } catch (error) {
    if (error instanceof TokenRejectedError) {
      throw unauthorizedProblem(`The access token is not valid: ${error.message}.`, true);
    }
    if (error instanceof IssuerUnavailableError) {
      throw serviceUnavailableProblem(
        `The token issuer's signing keys cannot be fetched for the moment (${error.message}); try again`,
        5,
      );
    }
    throw error;
  }
}
