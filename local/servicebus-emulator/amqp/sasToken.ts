import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasVerdict = { ok: true; expiresAt: number; audience: string } | { ok: false; reason: string };

/**
 * Verifies `SharedAccessSignature sr=..&sig=..&se=..&skn=..` against the configured key:
 * HMAC-SHA256 keyed with the key string as UTF-8 over `<still-encoded sr>\n<se>`.
 * `requestedName` is the audience the client asks for; the token's resource must be its prefix.
 */
export function verifySasToken(
  token: string,
  requestedName: string,
  keyName: string,
  key: string,
  nowMs: number,
): SasVerdict {
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return { ok: false, reason: 'not a SharedAccessSignature token' };
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const rawSr = fields.get('sr');
  const rawSig = fields.get('sig');
  const rawSe = fields.get('se');
  const skn = fields.get('skn');
  if (rawSr === undefined || rawSig === undefined || rawSe === undefined || skn === undefined) {
    return { ok: false, reason: 'token lacks sr, sig, se or skn' };
  }
  if (decodeURIComponent(skn) !== keyName) return { ok: false, reason: `unknown key name '${skn}'` };
  const expiresAtSeconds = Number(rawSe);
  if (!Number.isFinite(expiresAtSeconds) || expiresAtSeconds * 1000 <= nowMs) {
    return { ok: false, reason: 'token expired' };
  }
  const expected = createHmac('sha256', Buffer.from(key, 'utf8')).update(`${rawSr}\n${rawSe}`).digest();
  const given = Buffer.from(decodeURIComponent(rawSig), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'signature does not match' };
  }
  const resource = normaliseAudience(decodeURIComponent(rawSr));
  const requested = normaliseAudience(requestedName);
  if (!requested.startsWith(resource)) return { ok: false, reason: 'token is for another resource' };
  return { ok: true, expiresAt: expiresAtSeconds * 1000, audience: requested };
}

/**
 * The entity part of an audience or link address, lower-case: drops `sb://host[:port]/` since
 * clients may say localhost or 127.0.0.1 for the same namespace.
 */
export function normaliseAudience(audience: string): string {
  const match = /^[a-z]+:\/\/[^/]*\/?(.*)$/i.exec(audience);
  return (match ? match[1]! : audience).toLowerCase();
}
