import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpFunctionPlan } from '../app/planFunctions';

export type AuthorizationResult = { allowed: true } | { allowed: false; reason: string };

/**
 * The host's key check: anonymous routes need nothing; function and admin routes need the key
 * in the `x-functions-key` header or the `code` query parameter. Locally the one key is the
 * setting SWITCHYARD_FUNCTION_KEY (Azure would also accept host and master keys).
 */
export function authorizeRequest(
  authLevel: HttpFunctionPlan['authLevel'],
  presented: { header: string | undefined; code: string | null },
  expectedKey: string | undefined,
): AuthorizationResult {
  if (authLevel === 'anonymous') return { allowed: true };
  if (!expectedKey) {
    return {
      allowed: false,
      reason: 'This route needs a function key, but the dev host has none: set SWITCHYARD_FUNCTION_KEY.',
    };
  }
  const key = presented.header ?? presented.code ?? undefined;
  if (key === undefined) {
    return {
      allowed: false,
      reason: 'This route needs a function key in the x-functions-key header or the code query parameter.',
    };
  }
  return sameSecret(key, expectedKey)
    ? { allowed: true }
    : { allowed: false, reason: 'The function key is not valid.' };
}

/** Compares digests in constant time so the key cannot be guessed from response times. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
