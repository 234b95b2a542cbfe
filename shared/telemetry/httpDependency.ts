import { type TelemetryAttributes } from './attributes';
import { redactUrl } from './redactUrl';
import { withSpan } from './spans';
import { injectTraceHeaders } from './traceContext';

export interface HttpDependencyRequest {
  method: string;
  url: string;
  /** Extra properties (eventKey, subscription, attempt, ...). */
  attributes?: TelemetryAttributes;
}

/**
 * Records an outgoing HTTP call as an Application Insights dependency. Needed because the
 * webhook client is undici, which applicationinsights 3.x does not instrument (it only patches
 * node:http/https). `call` gets the trace headers to send; `statusOf` reads the response status.
 * Only 2xx counts as success (redirects are not followed, so 3xx is a failure too). The URL is
 * recorded without query values.
 */
export function withHttpDependency<T>(
  request: HttpDependencyRequest,
  call: (traceHeaders: Record<string, string>) => Promise<T>,
  statusOf: (result: T) => number,
): Promise<T> {
  const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
  const method = request.method.toUpperCase();
  return withSpan(
    url ? `${method} ${url.pathname}` : method,
    {
      kind: 'client',
      attributes: {
        ...request.attributes,
        'http.request.method': method,
        'url.full': redactUrl(request.url),
        'server.address': url?.hostname,
        'server.port': url ? Number(url.port || (url.protocol === 'https:' ? 443 : 80)) : undefined,
      },
    },
    async (span) => {
      const result = await call(injectTraceHeaders({}));
      const status = statusOf(result);
      span.setHttpStatus(status);
      if (status < 200 || status > 299) span.fail(`HTTP ${status}`);
      return result;
    },
  );
}
