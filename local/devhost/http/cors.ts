import type { IncomingMessage } from 'node:http';
import type { LocalHostSettings } from '../app/loadLocalSettings';

export type CorsPolicy = Pick<LocalHostSettings, 'corsOrigins' | 'corsCredentials'>;

/**
 * CORS as `func start` applies it from local.settings.json `Host.CORS` (comma-separated origins,
 * "*" for any) and `Host.CORSCredentials`. Returns the headers to add to a response, and whether
 * the request is a preflight that the host answers itself.
 */
export function corsHeaders(
  request: IncomingMessage,
  policy: CorsPolicy,
): { headers: Record<string, string>; preflight: boolean } {
  const origin = request.headers.origin;
  if (!origin || policy.corsOrigins.length === 0) return { headers: {}, preflight: false };
  const anyOrigin = policy.corsOrigins.includes('*');
  if (!anyOrigin && !policy.corsOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) {
    return { headers: {}, preflight: false };
  }
  // With credentials the origin must be echoed, never "*".
  const headers: Record<string, string> = {
    'access-control-allow-origin': anyOrigin && !policy.corsCredentials ? '*' : origin,
    vary: 'Origin',
  };
  if (policy.corsCredentials) headers['access-control-allow-credentials'] = 'true';
  const requestedMethod = request.headers['access-control-request-method'];
  const preflight = request.method === 'OPTIONS' && typeof requestedMethod === 'string';
  if (preflight) {
    headers['access-control-allow-methods'] = requestedMethod;
    const requestedHeaders = request.headers['access-control-request-headers'];
    if (typeof requestedHeaders === 'string') headers['access-control-allow-headers'] = requestedHeaders;
  }
  return { headers, preflight };
}
