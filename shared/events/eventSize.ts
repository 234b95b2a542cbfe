import type { CloudEventJson } from '../domain/types';

/** Bytes of the event's compact JSON serialization in UTF-8: the measure of the 1 MB limit. */
export function eventSizeBytes(event: CloudEventJson): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}

/** The one wording of "too large", whether the event came over HTTP (413) or Service Bus. */
export function eventTooLargeMessage(sizeBytes: number, maxEventBytes: number): string {
  return `the event is ${sizeBytes} bytes as JSON; the limit is ${maxEventBytes}`;
}
