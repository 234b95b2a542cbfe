import type { IncomingHttpHeaders } from 'node:http';
import type { RpcHttpData, RpcTypedData } from '../core/coreTypes';

export interface ReceivedHttpRequest {
  method: string;
  /** Absolute URL, as the host passes it. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The host's RpcHttpData for a request: method, absolute URL, headers (repeated headers joined
 * with ", "), route parameters and the body as raw bytes, so binary bodies arrive intact.
 * The query is left for the library to read from the URL, which keeps repeated keys.
 */
export function toRpcHttpRequest(request: ReceivedHttpRequest, params: Record<string, string>): RpcTypedData {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const http: RpcHttpData = {
    method: request.method,
    url: request.url,
    headers,
    params,
    body: { bytes: request.body },
  };
  return { http };
}
