import type { ServerResponse } from 'node:http';

/**
 * Writes a host-level error (no function ran, or none could) as RFC 9457 problem+json, the
 * same error format as the app's own API.
 */
export function writeProblem(
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/problem+json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}
