import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { HttpFunctionPlan } from '../app/planFunctions';
import type { FunctionApp } from '../core/FunctionApp';
import type { InvocationRunner } from '../core/InvocationRunner';
import { newInvocationTraceContext } from '../core/traceContext';
import { writeLog } from '../log/hostLogger';
import { handleAdminRoute, type AdminApi } from './adminRoutes';
import { authorizeRequest } from './authorizeRequest';
import { corsHeaders, type CorsPolicy } from './cors';
import { fromRpcHttpResponse } from './fromRpcHttpResponse';
import { writeProblem } from './problemResponse';
import { readBody, RequestBodyTooLargeError } from './readBody';
import { RouteTable } from './routeTable';
import { toRpcHttpRequest } from './toRpcHttpRequest';
import { errorStack } from '../../../shared/errors/errorMessage';

export interface HttpTriggerOptions {
  host: string;
  port: number;
  routePrefix: string;
  functionKey: string | undefined;
  admin: AdminApi;
  cors: CorsPolicy;
}

export interface RunningHttpTrigger {
  port: number;
  routes: RouteTable;
  /** Stops accepting connections and waits for open requests to be answered. */
  close(): Promise<void>;
}

/**
 * Serves the app's HTTP functions: routes under the route prefix, key checks, then one
 * invocation per request through the runner. Host-level errors are problem+json.
 */
export async function startHttpTrigger(
  app: FunctionApp,
  plans: HttpFunctionPlan[],
  runner: InvocationRunner,
  options: HttpTriggerOptions,
): Promise<RunningHttpTrigger> {
  const routes = new RouteTable(plans, options.routePrefix);
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      writeLog('error', `HTTP request failed in the dev host: ${errorStack(error)}`);
      if (!response.headersSent) {
        writeProblem(response, 500, 'Internal Server Error', 'The dev host failed to handle the request.');
      } else response.destroy();
    });
  });

  let closing = false;
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (closing) {
      // A kept-alive connection may still send requests while running ones finish.
      request.resume();
      return writeProblem(response, 503, 'Service Unavailable', 'The dev host is shutting down.', {
        connection: 'close',
      });
    }
    const cors = corsHeaders(request, options.cors);
    for (const [name, value] of Object.entries(cors.headers)) response.setHeader(name, value);
    if (cors.preflight) {
      request.resume();
      response.writeHead(204, { 'content-length': 0 });
      return void response.end();
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const url = requestUrl(request, `${options.host}:${options.port}`);
    if (!url) {
      // As the Functions host (Kestrel) does for a Host header it cannot parse.
      request.resume();
      return writeProblem(
        response,
        400,
        'Bad Request',
        'The Host header or the request target is not a valid URL.',
        {
          connection: 'close',
        },
      );
    }
    if (
      url.pathname.toLowerCase().startsWith('/admin/') &&
      (await handleAdminRoute(request, response, url, options.admin, options.functionKey))
    ) {
      return;
    }
    const lookup = routes.lookup(method, url.pathname);
    if (lookup.outcome === 'notFound') {
      request.resume();
      return writeProblem(response, 404, 'Not Found', `No function matches ${method} ${url.pathname}.`);
    }
    if (lookup.outcome === 'methodNotAllowed') {
      request.resume();
      return writeProblem(
        response,
        405,
        'Method Not Allowed',
        `${method} is not allowed on ${url.pathname}; use ${lookup.allowed.join(', ')}.`,
        {
          allow: lookup.allowed.join(', '),
        },
      );
    }
    const { plan, params } = lookup;
    const headerKey = request.headers['x-functions-key'];
    const auth = authorizeRequest(
      plan.authLevel,
      { header: Array.isArray(headerKey) ? headerKey[0] : headerKey, code: url.searchParams.get('code') },
      options.functionKey,
    );
    if (!auth.allowed) {
      request.resume();
      return writeProblem(response, 401, 'Unauthorized', auth.reason);
    }
    let body: Buffer;
    try {
      body = await readBody(request);
    } catch (error) {
      if (!(error instanceof RequestBodyTooLargeError)) throw error;
      // Closing the connection: the rest of the body is never read.
      return writeProblem(response, 413, 'Payload Too Large', error.message, { connection: 'close' });
    }
    const fn = app.functions.get(plan.name);
    if (!fn) throw new Error(`function "${plan.name}" is no longer registered`);
    const traceparent = request.headers.traceparent;
    const tracestate = request.headers.tracestate;
    const outcome = await runner.run(fn, `${method} ${url.pathname}`, {
      inputData: [
        {
          name: plan.triggerName,
          data: toRpcHttpRequest({ method, url: url.href, headers: request.headers, body }, params),
        },
      ],
      triggerMetadata: {},
      traceContext: newInvocationTraceContext(
        plan.name,
        typeof traceparent === 'string' ? traceparent : undefined,
        typeof tracestate === 'string' ? tracestate : undefined,
      ),
    });
    if (!outcome.succeeded) {
      // Like the host: a failed invocation is a bare 500; the details are in the log.
      response.writeHead(500, { 'content-length': 0 });
      response.end();
      return;
    }
    const reply = fromRpcHttpResponse(outcome.response);
    response.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length });
    response.end(reply.body);
  }

  await listen(server, options.port, options.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    port,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The request's absolute URL, or undefined when its Host header (or target) does not make one. */
function requestUrl(request: IncomingMessage, fallbackHost: string): URL | undefined {
  try {
    return new URL(request.url ?? '/', `http://${request.headers.host ?? fallbackHost}`);
  } catch {
    return undefined;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `Port ${port} on ${host} is already in use: stop what is using it or pass another --port.`,
          ),
        );
      } else reject(error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
