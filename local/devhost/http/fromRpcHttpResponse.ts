import type { RpcHttpCookie, RpcInvocationResponse, RpcTypedData } from '../core/coreTypes';

/** A response ready to write: status, headers (Set-Cookie as a list) and body bytes. */
export interface HttpReply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/**
 * Turns the library's invocation response for an HTTP function into the reply the host sends.
 * A function that returns nothing gets 200 with an empty body: the host falls back to an
 * OkResult when no response was set (FunctionInvocationMiddleware).
 */
export function fromRpcHttpResponse(response: RpcInvocationResponse): HttpReply {
  const http = response.returnValue?.http;
  if (!http) return { status: 200, headers: {}, body: Buffer.alloc(0) };
  const headers: Record<string, string | string[]> = { ...(http.headers ?? {}) };
  const cookies = (http.cookies ?? []).map(toSetCookie);
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const status = Number.parseInt(http.statusCode ?? '200', 10);
  return { status: Number.isFinite(status) ? status : 200, headers, body: bodyBytes(http.body) };
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  if (typeof body.string === 'string') return Buffer.from(body.string, 'utf8');
  if (typeof body.json === 'string') return Buffer.from(body.json, 'utf8');
  return Buffer.alloc(0);
}

/** One Set-Cookie header value (RFC 6265) from the library's cookie record. */
export function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expiresSeconds = cookie.expires?.value?.seconds;
  if (typeof expiresSeconds === 'number') {
    parts.push(`Expires=${new Date(expiresSeconds * 1000).toUTCString()}`);
  }
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}
