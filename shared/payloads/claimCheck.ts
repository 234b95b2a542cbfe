import { createHash } from 'node:crypto';

/**
 * A delivery message whose serialized body exceeds this travels by claim check. Service Bus
 * Standard allows 256 KB per message including headers and application properties; the rest
 * is headroom for those and for the envelope around the event.
 */
export const CLAIM_CHECK_THRESHOLD_BYTES = 192 * 1024;

/** True when a message body of this serialized form should carry a payload reference instead. */
export function needsClaimCheck(serializedBody: string): boolean {
  return Buffer.byteLength(serializedBody, 'utf8') > CLAIM_CHECK_THRESHOLD_BYTES;
}

/**
 * The blob name of an event's payload. Hashing the event key gives a name that is always valid
 * and short, and the same for the same event, so storing it again (a re-run) finds the first one.
 */
export function payloadBlobName(eventKey: string): string {
  return `${createHash('sha256').update(eventKey).digest('hex')}.json`;
}
