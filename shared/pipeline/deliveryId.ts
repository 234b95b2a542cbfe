import { createHash } from 'node:crypto';

/**
 * The delivery id of an (event, subscription) pair: the same on every run of route and on every
 * attempt, so a re-run creates no second delivery and receivers can deduplicate on webhook-id.
 */
export function deliveryIdOf(eventKey: string, topic: string, subscription: string): string {
  const digest = createHash('sha256').update(`${eventKey}\n${topic}\n${subscription}`, 'utf8').digest();
  return `dlv_${digest.subarray(0, 18).toString('base64url')}`;
}
