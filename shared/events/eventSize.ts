import type { CloudEventJson } from '../domain/types';

/** Bytes of the event's compact JSON serialization in UTF-8: the measure of the 1 MB limit. */
export function eventSizeBytes(event: CloudEventJson): number {
  return Buffer.byteLength(JSON.stringify(event), 'utf8');
}
