import { createHash } from 'node:crypto';
import type { CloudEventJson } from '../domain/types';
import { eventKey as eventKeyOf } from '../events/eventKey';
import { eventSizeBytes, eventTooLargeMessage } from '../events/eventSize';
import { MAX_EVENT_BYTES } from '../events/limits';
import { validateCloudEvent } from '../events/validateCloudEvent';
import { summarizeFieldErrors } from '../http/problems';

/**
 * A delivery message whose serialized body exceeds this travels by claim check. Service Bus
 * Standard allows 256 KB per message including headers and application properties; the rest
 * is headroom for those and for the envelope around the event.
 */
export const CLAIM_CHECK_THRESHOLD_BYTES = 192 * 1024;

/**
 * True when a message body of this many UTF-8 bytes should carry a payload reference instead.
 * Callers pass a size they know already (an event's `sizeBytes`, a Buffer's length), so the hot
 * path does not serialize or measure the event again.
 */
export function needsClaimCheck(sizeBytes: number): boolean {
  return sizeBytes > CLAIM_CHECK_THRESHOLD_BYTES;
}

/**
 * The blob name of an event's payload. Hashing the event key gives a name that is always valid
 * and short, and the same for the same event, so storing it again (a re-run) finds the first one.
 */
export function payloadBlobName(eventKey: string): string {
  return `${createHash('sha256').update(eventKey).digest('hex')}.json`;
}

/**
 * What a claim check is bound to: the topic and event it was written for. Switchyard stores both
 * as blob metadata when it writes the payload (`PayloadStore.putPayload`).
 */
export interface ClaimCheckOwner {
  topic: string;
  eventKey: string;
}

/** A payload as read back: its JSON and the owner recorded in its metadata (absent if none). */
export interface StoredPayload {
  json: string;
  owner?: { topic?: string | undefined; eventKey?: string | undefined };
}

export type ClaimCheckResult =
  { ok: true; event: CloudEventJson; sizeBytes: number } | { ok: false; description: string };

/*
 * Why a claim check cannot be forged, and why this way.
 *
 * Anyone with send rights on `ingress` (and, with more rights, `deliveries`) can put any
 * `payloadRef` in a message, and blob names are computable from public data. A reference is
 * followed only when all of these hold:
 *   1. it is exactly the name Switchyard derives for this message's own topic and event
 *      (sha256 of eventKey(topic, source, id)), so a message for topic A can only name the blob
 *      of an event of topic A with the same source and id: never another topic's event, and
 *      never a path (`../../x`);
 *   2. the blob exists, and its metadata, written by Switchyard's publish function when it
 *      stored the payload, names this topic and event key;
 *   3. the stored event is a valid CloudEvent within the size and depth limits whose own
 *      source and id give this event key again.
 * What makes it unforgeable is who can write the container: shared keys are off and only the
 * app's managed identity holds a blob data role (infra/app/rbac.bicep; plus the deploying user,
 * if granted, to run the app locally), so a blob under the derived name with matching metadata
 * can only be one Switchyard stored for that very event.
 *
 * Why not an HMAC over (topic, eventKey, blob name): it needs a secret the app holds. With
 * managed identity and no keys that means a Key Vault secret plus a reference setting in Bicep,
 * rotation, and a decision what happens to in-flight references when it rotates, all to prove
 * something the storage permissions already prove. The metadata check needs no secret.
 *
 * Publishers who send to `ingress` directly cannot use claim checks at all: they cannot write
 * the container, and a reference to anything else is refused. They send events that fit a
 * Service Bus message; route stores one whose JSON is too large for a delivery message itself.
 */

/** Why a reference is not the claim check of this event, or undefined when it is the right name. */
export function claimCheckNameProblem(ref: string, owner: ClaimCheckOwner): string | undefined {
  return ref === payloadBlobName(owner.eventKey)
    ? undefined
    : `payloadRef is not the claim check of this event: Switchyard names the payload of topic ${owner.topic}, source and id by their event key, and only its publish function writes payloads`;
}

/** The event a claim check stands for, after checks 2 and 3 above (the caller checked the name). */
export function eventFromClaimCheck(
  owner: ClaimCheckOwner,
  stored: StoredPayload | undefined,
  maxEventBytes: number = MAX_EVENT_BYTES,
): ClaimCheckResult {
  if (!stored) return { ok: false, description: 'payloadRef names no stored payload' };
  if (stored.owner?.topic !== owner.topic || stored.owner.eventKey !== owner.eventKey) {
    return {
      ok: false,
      description: `payloadRef names a payload that was not stored for this event of topic ${owner.topic}`,
    };
  }
  const bytes = Buffer.byteLength(stored.json, 'utf8');
  if (bytes > maxEventBytes) {
    return { ok: false, description: `the stored payload: ${eventTooLargeMessage(bytes, maxEventBytes)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(stored.json);
  } catch {
    return { ok: false, description: 'the stored payload is not valid JSON' };
  }
  const validation = validateCloudEvent(value);
  if (!validation.ok) {
    return {
      ok: false,
      description: `the stored payload is no valid event: ${summarizeFieldErrors(validation.errors)}`,
    };
  }
  const { event } = validation;
  if (eventKeyOf(owner.topic, event.source, event.id) !== owner.eventKey) {
    return { ok: false, description: 'the stored payload is another event (its source and id differ)' };
  }
  return { ok: true, event, sizeBytes: eventSizeBytes(event) };
}
