import { asNode, textOf, typeAttribute, XSD_NS, type XmlNode, type XmlValue } from './atomXml';

/**
 * Typed key/value lists (correlation filter properties, SQL parameters) as
 * `<KeyValueOfstringanyType><Key/><Value i:type="d6p1:string">` elements.
 */
export type KeyValue = string | number | boolean | Date;

const ITEM = 'KeyValueOfstringanyType';

/** Reads a list the SDK wrote (types l28:string, double, long, boolean, dateTime). Throws on other types. */
export function readKeyValues(value: XmlValue | undefined): Record<string, KeyValue> | undefined {
  const node = asNode(value);
  const items = node?.[ITEM];
  if (items === undefined) return undefined;
  const result: Record<string, KeyValue> = {};
  for (const item of Array.isArray(items) ? items : [items]) {
    const entry = asNode(item);
    const key = textOf(entry?.Key);
    if (key === undefined) throw new Error(`${ITEM} without a Key`);
    const raw = entry?.Value;
    const text = textOf(raw) ?? '';
    const type = typeAttribute(asNode(raw)) ?? 'string';
    result[key] = decode(key, type, text);
  }
  return result;
}

function decode(key: string, type: string, text: string): KeyValue {
  switch (type) {
    case 'string':
      return text;
    case 'boolean':
      return text === 'true';
    case 'int':
    case 'long':
    case 'double':
    case 'float':
    case 'decimal':
      return Number(text);
    case 'dateTime':
      return new Date(text);
    default:
      throw new Error(`unsupported type '${type}' for '${key}'`);
  }
}

/** Writes a list as the service does: the SDK reads int/double/string/boolean/dateTime back. */
export function writeKeyValues(values: Record<string, KeyValue | null> | undefined): XmlNode | undefined {
  const entries = Object.entries(values ?? {}).filter(
    (entry): entry is [string, KeyValue] => entry[1] !== null,
  );
  if (entries.length === 0) return undefined;
  return {
    [ITEM]: entries.map(([key, value]) => {
      const [type, text] = encode(value);
      return { Key: key, Value: { $: { 'i:type': `d6p1:${type}`, 'xmlns:d6p1': XSD_NS }, _: text } };
    }),
  };
}

function encode(value: KeyValue): [string, string] {
  if (typeof value === 'string') return ['string', value];
  if (typeof value === 'boolean') return ['boolean', String(value)];
  if (value instanceof Date) return ['dateTime', value.toISOString()];
  return [Number.isInteger(value) && Math.abs(value) <= 2 ** 31 ? 'int' : 'double', String(value)];
}
