/**
 * Media types (RFC 9110 section 8.3.1): parsing a Content-Type / datacontenttype value and
 * classifying it, which decides how a body becomes CloudEvents `data`.
 */

export interface MediaType {
  /** `type/subtype`, lower-cased. */
  essence: string;
  /** Parameter names lower-cased; values unquoted. */
  parameters: Record<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[^"\\\\]|\\\\.)*"';
const ESSENCE = new RegExp(`^(${TOKEN})/(${TOKEN})`);
const PARAMETER = new RegExp(`^[ \\t]*;[ \\t]*(${TOKEN})=(${TOKEN}|${QUOTED_STRING})`);

/** Parses `type/subtype; name=value; ...`; undefined when the syntax is wrong. */
export function parseMediaType(value: string): MediaType | undefined {
  const head = ESSENCE.exec(value);
  if (!head) return undefined;
  const parameters: Record<string, string> = {};
  let rest = value.slice(head[0].length);
  while (rest.trim() !== '') {
    // A lone trailing ";" is tolerated, as browsers and most servers do.
    if (/^[ \t]*;[ \t]*$/.test(rest)) break;
    const param = PARAMETER.exec(rest);
    if (!param) return undefined;
    const raw = param[2] ?? '';
    parameters[(param[1] ?? '').toLowerCase()] = raw.startsWith('"')
      ? raw.slice(1, -1).replace(/\\(.)/g, '$1')
      : raw;
    rest = rest.slice(param[0].length);
  }
  return { essence: `${head[1]}/${head[2]}`.toLowerCase(), parameters };
}

export function isMediaType(value: string): boolean {
  return parseMediaType(value) !== undefined;
}

/** `application/json`, `text/json` and any `+json` structured suffix. */
export function isJsonMediaType(media: MediaType): boolean {
  return (
    media.essence === 'application/json' || media.essence === 'text/json' || media.essence.endsWith('+json')
  );
}

/** Types whose bodies are text: kept as a string `data` (when valid UTF-8) rather than base64. */
export function isTextMediaType(media: MediaType): boolean {
  const e = media.essence;
  return (
    e.startsWith('text/') ||
    e === 'application/xml' ||
    e.endsWith('+xml') ||
    e === 'application/x-www-form-urlencoded' ||
    e === 'application/javascript' ||
    e === 'application/yaml'
  );
}

/** Whether the charset parameter, if any, is UTF-8 (the only one Switchyard decodes). */
export function hasUtf8Charset(media: MediaType): boolean {
  const charset = media.parameters.charset;
  return charset === undefined || /^utf-?8$/i.test(charset);
}
