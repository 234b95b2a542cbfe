/**
 * Binary-mode bodies (HTTP and Service Bus) carry only the event's data; the content type says
 * what it is. JSON becomes `data` as a value, valid UTF-8 text becomes `data` as a string,
 * everything else is kept byte-exact as `data_base64`.
 */
import type { FieldError } from '../http/problem';
import { hasUtf8Charset, isJsonMediaType, isTextMediaType, parseMediaType } from './mediaType';

export type EventData = { data?: unknown; data_base64?: string };

export type DataResult = { ok: true; members: EventData } | { ok: false; error: FieldError };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8 (never U+FFFD guesses). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** `field` names the body in errors (`body` for HTTP). */
export function dataFromBytes(
  bytes: Uint8Array,
  contentType: string | undefined,
  field = 'body',
): DataResult {
  if (bytes.length === 0) return { ok: true, members: {} };
  const media = contentType === undefined ? undefined : parseMediaType(contentType);
  if (media && hasUtf8Charset(media) && isJsonMediaType(media)) {
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      return { ok: false, error: { field, message: 'the JSON body is not valid UTF-8' } };
    }
    try {
      return { ok: true, members: { data: JSON.parse(text) } };
    } catch {
      // The parser's message quotes the body; problems get logged, so it is left out.
      return {
        ok: false,
        error: { field, message: `the body is not valid JSON although its content type is ${media.essence}` },
      };
    }
  }
  if (media && hasUtf8Charset(media) && isTextMediaType(media)) {
    const text = decodeUtf8(bytes);
    if (text !== undefined) return { ok: true, members: { data: text } };
  }
  return {
    ok: true,
    members: {
      data_base64: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    },
  };
}

/** Normalizes the body shapes the runtimes hand over into bytes. */
export function bodyBytes(body: ArrayBuffer | Uint8Array | string | null | undefined): Uint8Array {
  if (body === null || body === undefined) return new Uint8Array(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  return new Uint8Array(body);
}
