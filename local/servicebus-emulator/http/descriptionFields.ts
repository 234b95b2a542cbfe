import { parseIsoDuration } from '../config/duration';
import { SB_2011_NS, textOf, type XmlNode } from './atomXml';
import { formatIsoDuration, NEVER_MS } from './isoDuration';

/**
 * Reading request fields of an entity description and writing the ones every description shares.
 * Requests carry text; anything unparseable is left to config validation to name.
 */
export function readBoolean(fields: XmlNode, name: string): boolean | undefined {
  const text = textOf(fields[name])?.trim().toLowerCase();
  return text === undefined || text === '' ? undefined : text === 'true';
}

export function readInteger(fields: XmlNode, name: string): number | undefined {
  const text = textOf(fields[name])?.trim();
  return text === undefined || text === '' ? undefined : Number(text);
}

/** A duration as given; TimeSpan.MaxValue (and anything as long) means "not set". */
export function readDuration(fields: XmlNode, name: string): string | undefined {
  const text = textOf(fields[name])?.trim();
  if (text === undefined || text === '') return undefined;
  const ms = parseIsoDuration(text);
  return ms !== undefined && ms >= NEVER_MS ? undefined : text;
}

export function readText(fields: XmlNode, name: string): string | undefined {
  const text = textOf(fields[name]);
  return text === undefined || text === '' ? undefined : text;
}

/** `sb://host/name` (the SDK sends forwarding targets as absolute URLs) -> `name`. */
export function entityNameOf(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  const match = /^[a-z]+:\/\/[^/]+\/(.+)$/i.exec(target.trim());
  return match ? match[1]! : target.trim();
}

/** A configured duration in the service's canonical form (PT60S -> PT1M); unset -> `fallback`. */
export function durationText(value: string | undefined, fallbackMs: number): string {
  const ms = value === undefined ? undefined : parseIsoDuration(value);
  return formatIsoDuration(ms ?? fallbackMs);
}

/** What the runtime-properties calls read: message counts, size and times. */
export interface RuntimeCounts {
  active: number;
  deadLetter: number;
  scheduled: number;
  transfer: number;
  transferDeadLetter: number;
  sizeInBytes: number;
}

export function countDetails(counts: RuntimeCounts): XmlNode {
  return {
    $: { 'xmlns:d2p1': SB_2011_NS },
    'd2p1:ActiveMessageCount': String(counts.active),
    'd2p1:DeadLetterMessageCount': String(counts.deadLetter),
    'd2p1:ScheduledMessageCount': String(counts.scheduled),
    'd2p1:TransferMessageCount': String(counts.transfer),
    'd2p1:TransferDeadLetterMessageCount': String(counts.transferDeadLetter),
  };
}

export function totalCount(counts: RuntimeCounts): number {
  return counts.active + counts.deadLetter + counts.scheduled + counts.transfer + counts.transferDeadLetter;
}

/** Times every description carries; AccessedAt is 0001-01-01 until something used the entity. */
export function timeFields(times: {
  createdAt: number;
  updatedAt: number;
  accessedAt?: number | undefined;
}): XmlNode {
  return {
    CreatedAt: new Date(times.createdAt).toISOString(),
    UpdatedAt: new Date(times.updatedAt).toISOString(),
    AccessedAt:
      times.accessedAt === undefined ? '0001-01-01T00:00:00Z' : new Date(times.accessedAt).toISOString(),
  };
}

/** Description fields the emulator keeps and echoes but does not act on. */
export const ECHOED_FIELDS = [
  'UserMetadata',
  'Status',
  'AutoDeleteOnIdle',
  'EnableBatchedOperations',
  'SupportOrdering',
] as const;

export function readEchoed(fields: XmlNode): Record<string, string> {
  const echoed: Record<string, string> = {};
  for (const name of ECHOED_FIELDS) {
    const text = readText(fields, name);
    if (text !== undefined) echoed[name] = text;
  }
  return echoed;
}
