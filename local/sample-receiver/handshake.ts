import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The receiver's side of the CloudEvents Webhook validation handshake: an OPTIONS request with
 * WebHook-Request-Origin is answered 200 with WebHook-Allowed-Origin (the same origin) and, when
 * given, WebHook-Allowed-Rate. True when the request was the handshake and has been answered.
 */
export function answerValidationHandshake(
  request: IncomingMessage,
  response: ServerResponse,
  options: { allowedRate?: string } = {},
): boolean {
  const origin = request.headers['webhook-request-origin'];
  if (request.method !== 'OPTIONS' || typeof origin !== 'string') return false;
  response.writeHead(200, {
    allow: 'POST, OPTIONS',
    'webhook-allowed-origin': origin,
    ...(options.allowedRate !== undefined ? { 'webhook-allowed-rate': options.allowedRate } : {}),
  });
  response.end();
  return true;
}
