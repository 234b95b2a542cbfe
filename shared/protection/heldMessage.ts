import { createHash } from 'node:crypto';
import type { ServiceBusMessage } from '@azure/service-bus';
import { deliveryMessageId, toDeliveryServiceBusMessage } from '../bus/deliveryMessages';
import type { DeliveryMessage } from '../domain/types';
import type { HeldMarks } from './deliveryGate';

export const HELD_COUNT_PROPERTY = 'heldCount';
export const RESERVED_SLOT_PROPERTY = 'reservedSlotAt';

/** Service Bus refuses message ids longer than this. */
const MAX_MESSAGE_ID_LENGTH = 128;

/**
 * The copy of a held delivery: the same body (the same attempt), its own message id (the
 * queue's duplicate detection would drop a second `deliveryId:attempt`, and completing the
 * original would lose the delivery), the same for a re-run of the same invocation (so a crash
 * after scheduling sends no second copy), and the marks.
 */
export function heldDeliveryMessage(
  message: DeliveryMessage,
  marks: HeldMarks,
  traceProperties: Record<string, string>,
): ServiceBusMessage {
  const plain = toDeliveryServiceBusMessage(message, traceProperties);
  const root = deliveryMessageId(message.deliveryId, message.attempt);
  const suffix = `~held-${marks.heldCount}`;
  const messageId =
    root.length + suffix.length <= MAX_MESSAGE_ID_LENGTH
      ? `${root}${suffix}`
      : `${createHash('sha256').update(root, 'utf8').digest('base64url')}${suffix}`;
  return {
    ...plain,
    messageId,
    applicationProperties: {
      ...plain.applicationProperties,
      [HELD_COUNT_PROPERTY]: marks.heldCount,
      ...(marks.reservedSlotAtMs !== undefined ? { [RESERVED_SLOT_PROPERTY]: marks.reservedSlotAtMs } : {}),
    },
  };
}

/** The marks a received message carries; forged or broken values count as absent. */
export function heldMarksOf(properties: Readonly<Record<string, unknown>>): HeldMarks {
  const count = properties[HELD_COUNT_PROPERTY];
  const slot = properties[RESERVED_SLOT_PROPERTY];
  return {
    heldCount: typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : 0,
    ...(typeof slot === 'number' && Number.isFinite(slot) ? { reservedSlotAtMs: slot } : {}),
  };
}
