import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';

import type { CloudEventJson } from '../domain/types';
import { CLOUDEVENTS_JSON } from '../events/httpEventRequest';
import { parseRetryAfter } from './retryAfter';
import { signDelivery } from './signing';
import { SsrfGuard, TargetRefusedError } from './ssrfGuard';
import { switchyardUserAgent } from './userAgent';
import type { WebhookResult } from './webhookResult';
import { HANDSHAKE_HEADERS, type HandshakeResponse } from './validationHandshake';
import { errorMessage } from '../errors/errorMessage';

export const CLOUDEVENTS_JSON_CONTENT_TYPE = `${CLOUDEVENTS_JSON}; charset=utf-8`;
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 30_000;
export const RESPONSE_BODY_PREFIX_BYTES = 4096;

export interface WebhookClientOptions {
  /** Total time for connect, request and reading the body prefix. Default 30 s. */
  timeoutMs?: number;
  /** Refuses private targets unless the allow-list (Settings.allowedPrivateCidrs) has them. */
  guard: SsrfGuard;
  userAgent?: string;
  /**
   * The WebHook-Request-Origin of the validation handshake; sent as `Origin` on every delivery,
   * as the CloudEvents Webhook spec asks once an endpoint has agreed to that origin.
   */
  origin?: string;
}

export interface WebhookDelivery {
  endpointUrl: string;
  event: CloudEventJson;
  /** The subscription's `whsec_` secret. */
  signingSecret: string;
  /** During a rotation's overlap, the secret before it: the attempt is signed with both. */
  previousSigningSecret?: string;
  /** Sent as webhook-id: the same on every attempt of this delivery. */
  deliveryId: string;
  /** The subscription's custom headers; Switchyard's own headers win over them. */
  headers?: Record<string, string>;
}

/** Bound of the validation handshake's OPTIONS request: it runs inside a subscription PUT. */
export const HANDSHAKE_TIMEOUT_MS = 5_000;

export interface WebhookClient {
  /** POSTs one attempt. Never throws for network trouble: the result says what happened. */
  deliver(delivery: WebhookDelivery): Promise<WebhookResult>;
  /**
   * The validation handshake's OPTIONS request (shared/delivery/validationHandshake.ts), through
   * the same SSRF guard, within HANDSHAKE_TIMEOUT_MS. Never throws: a failure is a result.
   */
  requestHandshake(
    endpointUrl: string,
    origin: string,
    headers?: Record<string, string>,
  ): Promise<HandshakeResponse>;
  close(): Promise<void>;
}

/**
 * A webhook client over one undici Agent (connections are reused per endpoint). Every new
 * connection resolves its host through the SSRF guard, which pins it to the checked addresses.
 */
export function createWebhookClient(options: WebhookClientOptions): WebhookClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const { guard } = options;
  const userAgent = options.userAgent ?? switchyardUserAgent();
  const agent = new Agent({
    connect: { lookup: guard.lookup, timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });

  async function deliver(delivery: WebhookDelivery): Promise<WebhookResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(delivery.endpointUrl);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      return {
        ok: false,
        durationMs: 0,
        failure: 'refused',
        error: 'the endpoint URL is not an absolute http(s) URL',
      };
    }
    // Checked up front too: IP literals never reach the agent's lookup, and a refusal reads better here.
    const check = await guard.checkHost(url.hostname);
    if (!check.ok)
      return {
        ok: false,
        durationMs: elapsed(),
        failure: check.refused ? 'refused' : 'network',
        error: check.error,
      };

    const body = JSON.stringify(delivery.event);
    const headers: Record<string, string> = {
      ...lowerCaseNames(delivery.headers),
      'content-type': CLOUDEVENTS_JSON_CONTENT_TYPE,
      'user-agent': userAgent,
      ...(options.origin !== undefined ? { origin: options.origin } : {}),
      ...signDelivery({
        secrets: [
          delivery.signingSecret,
          ...(delivery.previousSigningSecret ? [delivery.previousSigningSecret] : []),
        ],
        webhookId: delivery.deliveryId,
        body,
      }),
    };
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal });
      const responseBodyPrefix = await readPrefix(response.body, RESPONSE_BODY_PREFIX_BYTES);
      const status = response.statusCode;
      const retryAfter = headerValue(response.headers['retry-after']);
      const location = status >= 300 && status < 400 ? headerValue(response.headers.location) : undefined;
      const retryAfterMs = parseRetryAfter(retryAfter, new Date());
      return {
        ok: status >= 200 && status <= 204,
        status,
        durationMs: elapsed(),
        responseBodyPrefix,
        ...(retryAfter !== undefined ? { retryAfter } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        ...(location !== undefined ? { location } : {}),
      };
    } catch (error) {
      return failureResult(error, elapsed(), signal.aborted, timeoutMs);
    }
  }

  async function requestHandshake(
    endpointUrl: string,
    origin: string,
    customHeaders?: Record<string, string>,
  ): Promise<HandshakeResponse> {
    let url: URL;
    try {
      url = new URL(endpointUrl);
    } catch {
      return { kind: 'failed', error: 'the endpoint URL is not an absolute http(s) URL' };
    }
    const check = await guard.checkHost(url.hostname);
    if (!check.ok) return { kind: 'failed', error: check.error };
    const signal = AbortSignal.timeout(HANDSHAKE_TIMEOUT_MS);
    try {
      const response = await request(url, {
        method: 'OPTIONS',
        headers: {
          ...lowerCaseNames(customHeaders),
          'user-agent': userAgent,
          [HANDSHAKE_HEADERS.requestOrigin]: origin,
        },
        dispatcher: agent,
        signal,
        headersTimeout: HANDSHAKE_TIMEOUT_MS,
        bodyTimeout: HANDSHAKE_TIMEOUT_MS,
      });
      // Only the headers matter: the body is discarded (up to a few KB, then the connection is dropped).
      await response.body.dump({ limit: RESPONSE_BODY_PREFIX_BYTES }).catch(() => undefined);
      const allowedOrigin = headerValue(response.headers[HANDSHAKE_HEADERS.allowedOrigin]);
      const allowedRate = headerValue(response.headers[HANDSHAKE_HEADERS.allowedRate]);
      return {
        kind: 'answered',
        status: response.statusCode,
        ...(allowedOrigin !== undefined ? { allowedOrigin } : {}),
        ...(allowedRate !== undefined ? { allowedRate } : {}),
      };
    } catch (error) {
      const failed = failureResult(error, 0, signal.aborted, HANDSHAKE_TIMEOUT_MS);
      return { kind: 'failed', error: failed.error ?? 'no answer' };
    }
  }

  return { deliver, requestHandshake, close: () => agent.close() };
}

type ResponseBody = AsyncIterable<Buffer> & { destroy(error?: Error): unknown };

/** Reads up to `limit` bytes, then drops the connection instead of downloading the rest. */
async function readPrefix(body: ResponseBody, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Header names are case-insensitive: lower-cased, ours override a custom `Content-Type`. */
function lowerCaseNames(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function failureResult(
  error: unknown,
  durationMs: number,
  timedOut: boolean,
  timeoutMs: number,
): WebhookResult {
  const refused = findCause(error, (cause) => cause instanceof TargetRefusedError);
  if (refused) return { ok: false, durationMs, failure: 'refused', error: refused.message };
  const code = (
    findCause(error, (cause) => typeof (cause as NodeJS.ErrnoException).code === 'string') as
      NodeJS.ErrnoException | undefined
  )?.code;
  if (
    timedOut ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return {
      ok: false,
      durationMs,
      failure: 'timeout',
      error: `no complete response within ${timeoutMs} ms`,
    };
  }
  const message = errorMessage(error);
  return { ok: false, durationMs, failure: 'network', error: code ? `${code}: ${message}` : message };
}

function findCause(error: unknown, test: (cause: Error) => boolean): Error | undefined {
  for (
    let current = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    if (test(current)) return current;
  }
  return undefined;
}
