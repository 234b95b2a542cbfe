/**
 * Service Bus binary mode (CloudEvents AMQP binding 1.0): attributes in application properties
 * `cloudEvents:<name>` (or `cloudEvents_<name>`), the message content type is datacontenttype,
 * the body is the data. Errors name the property the sender set.
 */
import type { FieldError } from '../http/problem';
import { dataFromBytes, type DataResult } from './dataFromBytes';
import { hasUtf8Charset, isJsonMediaType, parseMediaType } from './mediaType';
import { ATTRIBUTE_PROPERTY_PREFIXES, type ServiceBusEventInput } from './serviceBusEventInput';
import { type EventValidation, validateCloudEvent } from './validateCloudEvent';

/** The attribute an application property carries, if it is one. */
export function attributeOfProperty(property: string): string | undefined {
  const prefix = ATTRIBUTE_PROPERTY_PREFIXES.find((p) => property.startsWith(p));
  return prefix === undefined ? undefined : property.slice(prefix.length);
}

export function hasBinaryModeProperties(input: ServiceBusEventInput): boolean {
  return Object.keys(input.applicationProperties ?? {}).some((p) => attributeOfProperty(p) === 'specversion');
}

export function binaryEventFromServiceBus(input: ServiceBusEventInput): EventValidation {
  const attributes: Record<string, unknown> = {};
  const propertyOf = new Map<string, string>();
  const errors: FieldError[] = [];
  for (const [property, value] of Object.entries(input.applicationProperties ?? {})) {
    const attribute = attributeOfProperty(property);
    if (attribute === undefined) continue;
    if (attribute === 'data' || attribute === 'data_base64') {
      errors.push({
        field: property,
        message: 'binary mode carries the data in the body, not in a property',
      });
      continue;
    }
    // AMQP timestamps (time, or Timestamp-typed extensions) arrive as Date.
    attributes[attribute] = value instanceof Date ? value.toISOString() : value;
    propertyOf.set(attribute, property);
  }
  const contentType = input.contentType ?? undefined;
  if (contentType !== undefined) {
    attributes.datacontenttype = contentType;
    propertyOf.set('datacontenttype', 'contentType');
  }
  const datacontenttype =
    typeof attributes.datacontenttype === 'string' ? attributes.datacontenttype : undefined;
  const data = dataFromBody(input.body, datacontenttype);
  if (data.ok) Object.assign(attributes, data.members);
  else errors.push(data.error);

  const validation = validateCloudEvent(attributes);
  if (validation.ok && errors.length === 0) return validation;
  const fieldFor = (attribute: string): string =>
    attribute === 'data' || attribute === 'data_base64'
      ? 'body'
      : (propertyOf.get(attribute) ?? `${ATTRIBUTE_PROPERTY_PREFIXES[0]}${attribute}`);
  const renamed = validation.ok ? [] : validation.errors.map((e) => ({ ...e, field: fieldFor(e.field) }));
  return { ok: false, errors: [...errors, ...renamed] };
}

/** Bytes go through the content-type rules; strings are text (parsed when JSON); values are JSON data. */
function dataFromBody(body: unknown, contentType: string | undefined): DataResult {
  if (body === undefined || body === null) return { ok: true, members: {} };
  if (body instanceof Uint8Array) return dataFromBytes(body, contentType, 'body');
  if (body instanceof ArrayBuffer) return dataFromBytes(new Uint8Array(body), contentType, 'body');
  if (typeof body === 'string') {
    const media = contentType === undefined ? undefined : parseMediaType(contentType);
    if (media && hasUtf8Charset(media) && isJsonMediaType(media))
      return dataFromBytes(Buffer.from(body), contentType, 'body');
  }
  // Any other string is text data; any other value was already decoded from JSON.
  return { ok: true, members: { data: body } };
}
