import type { IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { errorMessage } from '../../shared/errors/errorMessage';

/** The result of checking a delivery's Standard Webhooks signature. */
export type SignatureCheck =
  | { status: 'verified' }
  | { status: 'invalid'; reason: string }
  /** The receiver does not know the subscription's signing secret. */
  | { status: 'unknown-secret' };

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Verifies webhook-id/-timestamp/-signature against the exact body bytes with the
 * standardwebhooks package (which also rejects timestamps more than 5 minutes off).
 */
export function verifySignature(
  secret: string | undefined,
  headers: IncomingHttpHeaders,
  body: Buffer,
): SignatureCheck {
  if (secret === undefined) return { status: 'unknown-secret' };
  try {
    new Webhook(secret).verify(body, {
      'webhook-id': header(headers, 'webhook-id'),
      'webhook-timestamp': header(headers, 'webhook-timestamp'),
      'webhook-signature': header(headers, 'webhook-signature'),
    });
    return { status: 'verified' };
  } catch (error) {
    return { status: 'invalid', reason: errorMessage(error) };
  }
}
