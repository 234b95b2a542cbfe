/**
 * The all-or-nothing rule of a publish request: any invalid event fails the whole request with
 * 400 naming every bad attribute; otherwise any event over the size limit fails it with 413.
 * A partial accept would leave the caller guessing which events to resend.
 */
import type { CloudEventJson } from '../domain/types';
import type { FieldError } from '../http/problem';
import { payloadTooLargeProblemFor, validationProblem } from '../http/problems';
import { eventSizeBytes, eventTooLargeMessage } from './eventSize';
import type { EventValidation } from './validateCloudEvent';

export interface ParsedEvent {
  event: CloudEventJson;
  /** Bytes of the compact JSON serialization, as limited by maxEventBytes. */
  sizeBytes: number;
}

/** Enough for a client to fix a batch; bounds the size of the problem document. */
export const MAX_REPORTED_ERRORS = 100;

/** `names[i]` names event i in a 413 (`event` for a single event, `[i]` in a batch). */
export function requireValidEvents(
  validations: EventValidation[],
  names: readonly string[],
  maxEventBytes: number,
): ParsedEvent[] {
  const parsed: ParsedEvent[] = [];
  const invalid: FieldError[] = [];
  for (const validation of validations) {
    if (validation.ok) parsed.push({ event: validation.event, sizeBytes: eventSizeBytes(validation.event) });
    else invalid.push(...validation.errors);
  }
  if (invalid.length > 0) throw validationProblem(invalid.slice(0, MAX_REPORTED_ERRORS));

  const oversized: FieldError[] = [];
  parsed.forEach(({ sizeBytes }, index) => {
    if (sizeBytes <= maxEventBytes) return;
    oversized.push({
      field: names[index] ?? `[${index}]`,
      message: eventTooLargeMessage(sizeBytes, maxEventBytes),
    });
  });
  if (oversized.length > 0) throw payloadTooLargeProblemFor(oversized.slice(0, MAX_REPORTED_ERRORS));
  return parsed;
}
