/**
 * RFC 3986 syntax checks for `source` (URI-reference) and `dataschema` (absolute URI).
 * Syntax only: nothing is resolved or fetched. Characters outside RFC 3986 (spaces,
 * non-ASCII) must be percent-encoded, as the CloudEvents spec requires.
 */

const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;

/** The scheme if the value starts with one (`https`, `urn`), else undefined. */
function schemeOf(value: string): string | undefined | null {
  const colon = value.indexOf(':');
  if (colon < 0) return undefined;
  const firstDelimiter = value.search(/[/?#]/);
  if (firstDelimiter >= 0 && firstDelimiter < colon) return undefined;
  const candidate = value.slice(0, colon);
  // A colon in the first segment of a relative reference is not allowed, so this must be a scheme.
  return SCHEME.test(candidate) ? candidate : null;
}

export function isUriReference(value: string): boolean {
  if (!URI_CHARS.test(value)) return false;
  if (value.indexOf('#') !== value.lastIndexOf('#')) return false;
  return schemeOf(value) !== null;
}

export function isAbsoluteUri(value: string): boolean {
  return isUriReference(value) && typeof schemeOf(value) === 'string';
}
