/**
 * The CloudEvents 1.0 attribute rules as a zod schema, one message per attribute so a rejection
 * names exactly what to fix. Extension attribute *names* are checked in validateCloudEvent.ts
 * (zod sees them only as catch-all keys).
 *
 * Why not the `cloudevents` package's validator: its ajv errors name JSON-schema keywords
 * rather than attributes, and it accepts object-valued extensions, which CloudEvents 1.0 does not.
 */
import { z } from 'zod';

import { isMediaType } from './mediaType';
import { isAbsoluteUri, isUriReference } from './uri';

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const rfc3339 = z.iso.datetime({ offset: true });

function requiredString(name: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `${name} is required` : `${name} must be a string`),
    })
    .min(1, `${name} must be a non-empty string`);
}

function optionalString(name: string) {
  return z
    .string({ error: `${name} must be a string` })
    .min(1, `${name} must be a non-empty string`)
    .optional();
}

/** CloudEvents type system: String, Integer (32-bit), Boolean; URI and Timestamp travel as strings. */
export function isExtensionValue(value: unknown): value is string | number | boolean {
  if (typeof value === 'string' || typeof value === 'boolean') return true;
  return typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX;
}

export function isRfc3339(value: string): boolean {
  // RFC 3339 section 5.6 allows lower-case "t" and "z".
  return rfc3339.safeParse(value.toUpperCase()).success;
}

export const cloudEventSchema = z
  .object({
    specversion: z.literal('1.0', {
      error: (issue) => (issue.input === undefined ? 'specversion is required' : 'specversion must be "1.0"'),
    }),
    id: requiredString('id'),
    source: requiredString('source').refine(isUriReference, 'source must be a URI-reference (RFC 3986)'),
    type: requiredString('type'),
    subject: optionalString('subject'),
    time: optionalString('time').refine(
      (v) => v === undefined || isRfc3339(v),
      'time must be an RFC 3339 timestamp with a time zone, e.g. 2024-05-01T12:00:00Z',
    ),
    datacontenttype: optionalString('datacontenttype').refine(
      (v) => v === undefined || isMediaType(v),
      'datacontenttype must be a media type such as application/json',
    ),
    dataschema: optionalString('dataschema').refine(
      (v) => v === undefined || isAbsoluteUri(v),
      'dataschema must be an absolute URI',
    ),
    data: z.unknown().optional(),
    data_base64: z
      .string({ error: 'data_base64 must be a base64 string' })
      .refine((v) => BASE64.test(v), 'data_base64 must be valid base64 (RFC 4648, padded)')
      .optional(),
  })
  .catchall(
    z.unknown().refine(isExtensionValue, 'extension values must be a string, a 32-bit integer or a boolean'),
  );

/** Attribute names the spec defines (plus the JSON format's data members); all others are extensions. */
export const CORE_MEMBERS: ReadonlySet<string> = new Set(Object.keys(cloudEventSchema.shape));
