import type { RpcTypedData } from './coreTypes';

/** A JSON number and nothing else (JSON whitespace around it allowed). */
const JSON_NUMBER = /^[ \t\n\r]*-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?[ \t\n\r]*$/;
/** Characters a JSON text other than a number can start with. */
const JSON_START = /^[ \t\n\r]*[{["tfn]/;

/**
 * A text value as typed data that the library turns back into exactly what the host's
 * `{ string }` would give. The library JSON.parses every `string` and keeps the text when that
 * throws; a thrown SyntaxError costs ~40 us, and most metadata (lock tokens, times, message ids,
 * content types) can never be JSON. Those go as `{ json }` of the same text instead, which the
 * library parses without throwing into the same string. Text that may be JSON stays `{ string }`.
 */
export function toTextTypedData(text: string): RpcTypedData {
  return JSON_START.test(text) || JSON_NUMBER.test(text) ? { string: text } : { json: JSON.stringify(text) };
}
