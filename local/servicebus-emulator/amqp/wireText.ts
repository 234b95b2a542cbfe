/**
 * An AMQP value read from a request or message as text; null and undefined are absent. Values
 * arrive typed `unknown` (rhea decodes by wire type), so an object never reads "[object Object]":
 * a Buffer reads as UTF-8 and anything else structured as JSON.
 */
export function wireText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}
