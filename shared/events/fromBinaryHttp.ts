/**
 * HTTP binary mode: attributes in `ce-*` headers, Content-Type is `datacontenttype`, the body is
 * the data. Errors name what the caller sent: `ce-source`, `content-type`, `body`.
 */
import type { FieldError } from '../http/problem';
import { dataFromBytes } from './dataFromBytes';
import type { HeaderBag } from './httpEventRequest';
import { type EventValidation, validateCloudEvent } from './validateCloudEvent';

const PREFIX = 'ce-';

/** The header a validation error about `attribute` should name. */
function headerFor(attribute: string): string {
  if (attribute === 'datacontenttype') return 'content-type';
  if (attribute === 'data' || attribute === 'data_base64') return 'body';
  return `${PREFIX}${attribute}`;
}

/** Header values are percent-encoded for non-ASCII, `"` and `%` (HTTP binding section 3.1.3.2). */
function percentDecode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function binaryEventFromHttp(headers: HeaderBag, body: Uint8Array): EventValidation {
  const attributes: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [rawName, rawValue] of headers.entries()) {
    const header = rawName.toLowerCase();
    if (!header.startsWith(PREFIX)) continue;
    const attribute = header.slice(PREFIX.length);
    if (attribute === 'data' || attribute === 'data_base64') {
      errors.push({ field: header, message: 'binary mode carries the data in the body, not in a header' });
      continue;
    }
    const value = percentDecode(rawValue);
    if (value === undefined) {
      errors.push({ field: header, message: 'invalid percent-encoding in header value' });
    } else attributes[attribute] = value;
  }

  // Content-Type is the datacontenttype; ce-datacontenttype is only a fallback for lax senders.
  const contentType = headers.get('content-type') ?? (attributes.datacontenttype as string | undefined);
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  const data = dataFromBytes(body, contentType, 'body');
  if (data.ok) Object.assign(attributes, data.members);
  else errors.push(data.error);

  const validation = validateCloudEvent(attributes);
  if (validation.ok && errors.length === 0) return validation;
  const named = new Set(errors.map((e) => e.field));
  const renamed = validation.ok ? [] : validation.errors.map((e) => ({ ...e, field: headerFor(e.field) }));
  return { ok: false, errors: [...errors, ...renamed.filter((e) => !named.has(e.field))] };
}
