import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one delivery attempt. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignInput {
  /**
   * `whsec_` + base64 secrets of the subscription: the current one, and during a rotation's
   * overlap the previous one as well. Each gives one signature.
   */
  secrets: readonly string[];
  /** The delivery id: the same on every attempt, so receivers can deduplicate. */
  webhookId: string;
  /** The exact body bytes that will be sent. */
  body: string;
  /** When the attempt is sent; receivers reject timestamps more than 5 min off. */
  timestamp?: Date;
}

/**
 * Signs one attempt per Standard Webhooks: HMAC-SHA256 of `{id}.{timestamp}.{body}` with each
 * secret, space-separated (`v1,<a> v1,<b>`), which the spec allows so that a receiver holding
 * either the old or the new secret verifies the attempt while a secret is being rotated.
 */
export function signDelivery({
  secrets,
  webhookId,
  body,
  timestamp = new Date(),
}: SignInput): SignatureHeaders {
  if (secrets.length === 0) throw new Error('signDelivery needs at least one secret');
  const signatures = secrets.map((secret) => new Webhook(secret).sign(webhookId, timestamp, body));
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
