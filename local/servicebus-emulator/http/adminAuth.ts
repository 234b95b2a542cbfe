import { verifySasToken } from '../amqp/sasToken';

/**
 * Checks the `Authorization: SharedAccessSignature sig=..&se=..&skn=..&sr=..` header the
 * administration client signs each request with: the same key as CBS, a token for this URL (or a
 * prefix of it, such as the namespace). Returns why it is refused, or undefined when it is fine.
 */
export function refuseAdminRequest(
  header: string | undefined,
  requestUrl: string,
  keyName: string,
  key: string,
  nowMs: number,
): string | undefined {
  if (!header) return 'MissingToken: the request has no Authorization header';
  const verdict = verifySasToken(header, requestUrl, keyName, key, nowMs);
  return verdict.ok ? undefined : `InvalidSignature: ${verdict.reason}`;
}
