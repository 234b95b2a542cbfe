import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one delivery attempt. */
export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignInput {
  /** `whsec_` + base64 secret of the subscription. */
  secret: string;
  /** The delivery id: the same on every attempt, so receivers can deduplicate. */
  webhookId: string;
  /** The exact body bytes that will be sent. */
  body: string;
  /** When the attempt is sent; receivers reject timestamps more than 5 min off. */
  timestamp?: Date;
}

/** Signs one attempt per Standard Webhooks: HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
export function signDelivery({
  secret,
  webhookId,
  body,
  timestamp = new Date(),
}: SignInput): SignatureHeaders {
  const signature = new Webhook(secret).sign(webhookId, timestamp, body);
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
