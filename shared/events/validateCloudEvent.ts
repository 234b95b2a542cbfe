/**
 * Turns an untrusted candidate (parsed JSON, or attributes gathered from headers or
 * application properties) into a valid CloudEventJson, or the list of what is wrong with it.
 */
import type { CloudEventJson } from '../domain/types';
import type { FieldError } from '../http/problem';
import { fieldErrorsFromZod, formatFieldPath } from '../http/zodProblem';
import { CORE_MEMBERS, cloudEventSchema } from './eventSchema';
import { memberTooDeep, tooDeepMessage } from './jsonDepth';

export type EventValidation = { ok: true; event: CloudEventJson } | { ok: false; errors: FieldError[] };

/** CloudEvents 1.0: lower-case ASCII letters and digits; the spec advises at most 20 characters. */
const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

const ATTRIBUTE_ORDER = [
  'specversion',
  'id',
  'source',
  'type',
  'subject',
  'time',
  'datacontenttype',
  'dataschema',
];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `prefix` is prepended to every field name (`[3]` for the fourth event of a batch).
 * Null members are dropped first: the JSON format says null means unset.
 */
export function validateCloudEvent(candidate: unknown, prefix = ''): EventValidation {
  const self = prefix === '' ? 'body' : prefix;
  if (!isPlainObject(candidate)) {
    return { ok: false, errors: [{ field: self, message: 'an event must be a JSON object' }] };
  }
  // First, before anything recursive (validation messages, sizing, serializers) walks the value.
  const tooDeep = memberTooDeep(candidate);
  if (tooDeep !== undefined) {
    return { ok: false, errors: [{ field: formatFieldPath([tooDeep], prefix), message: tooDeepMessage() }] };
  }
  const members = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== null));

  const errors: FieldError[] = [];
  for (const name of Object.keys(members)) {
    if (CORE_MEMBERS.has(name) || EXTENSION_NAME.test(name)) continue;
    const message =
      name.length > 20
        ? 'extension attribute names must be at most 20 characters'
        : 'extension attribute names must be lower-case letters a-z and digits 0-9';
    errors.push({ field: formatFieldPath([name], prefix), message });
  }
  if ('data' in members && 'data_base64' in members) {
    errors.push({
      field: formatFieldPath(['data_base64'], prefix),
      message: 'data and data_base64 are mutually exclusive',
    });
  }

  const parsed = cloudEventSchema.safeParse(members);
  if (!parsed.success) {
    const badNames = new Set(errors.map((e) => e.field));
    // A badly named extension already has its error; its value is not worth a second one.
    errors.push(...fieldErrorsFromZod(parsed.error, prefix, self).filter((e) => !badNames.has(e.field)));
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, event: inCanonicalOrder(members as CloudEventJson) };
}

/** Context attributes first, extensions next, data last: stable, readable serializations. */
function inCanonicalOrder(event: CloudEventJson): CloudEventJson {
  const ordered: Record<string, unknown> = {};
  for (const name of ATTRIBUTE_ORDER) if (event[name] !== undefined) ordered[name] = event[name];
  for (const [name, value] of Object.entries(event)) {
    if (!CORE_MEMBERS.has(name) && value !== undefined) ordered[name] = value;
  }
  if (event.data !== undefined) ordered.data = event.data;
  if (event.data_base64 !== undefined) ordered.data_base64 = event.data_base64;
  return ordered as CloudEventJson;
}
