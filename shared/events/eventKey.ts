import { createHash } from 'node:crypto';

/**
 * The identity of an event within Switchyard: the event record's id and the ingress message's
 * messageId, so Service Bus duplicate detection makes publishing the same source+id idempotent.
 *
 * Base64url of the first 24 bytes of SHA-256(`topic\nsource\nid`): exactly 32 URL-safe
 * characters (192 bits), valid as a Cosmos DB id and a Service Bus messageId. The newline
 * separator cannot be confused with content because topic names never contain one.
 */
export function eventKey(topic: string, source: string, id: string): string {
  return createHash('sha256')
    .update(`${topic}\n${source}\n${id}`, 'utf8')
    .digest()
    .subarray(0, 24)
    .toString('base64url');
}

export const EVENT_KEY_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export function isEventKey(value: string): boolean {
  return EVENT_KEY_PATTERN.test(value);
}
