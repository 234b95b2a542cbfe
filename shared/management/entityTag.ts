/**
 * HTTP entity tags for subscriptions. Cosmos DB in Azure gives ETags already quoted (`"0a00…"`),
 * the local Cosmos server gives them bare; the API always answers the quoted form RFC 9110
 * asks for, and compares If-Match on the opaque part, so a client that echoes the header, quotes
 * it itself, or sends a list behaves the same locally and in Azure.
 */

/** The opaque part of a tag: surrounding quotes removed. */
function opaqueOf(tag: string): string {
  const trimmed = tag.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1)
    : trimmed;
}

/** The ETag header value for a stored ETag. */
export function toEntityTag(storedEtag: string): string {
  return `"${opaqueOf(storedEtag)}"`;
}

/** `*`, or the tags of an If-Match list; weak tags (`W/"…"`) are kept with their prefix. */
function parseIfMatch(header: string): '*' | string[] {
  if (header.trim() === '*') return '*';
  // A quoted tag may hold commas, so the list is split on tags, not on commas.
  return [...header.matchAll(/(W\/)?("[^"]*"|[^,\s]+)/g)].map((match) => match[0]);
}

/**
 * Whether an If-Match header allows a change of a resource whose stored ETag is `current`
 * (undefined: it does not exist). Strong comparison, as RFC 9110 requires for If-Match: a weak
 * tag never matches. A bare tag is accepted too, for clients that strip the quotes.
 */
export function ifMatchAllows(header: string, current: string | undefined): boolean {
  const tags = parseIfMatch(header);
  if (current === undefined) return false;
  if (tags === '*') return true;
  const opaque = opaqueOf(current);
  return tags.some((tag) => !tag.startsWith('W/') && opaqueOf(tag) === opaque);
}
