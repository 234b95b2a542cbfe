import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { authorizeRequest } from './authorizeRequest';
import { writeProblem } from './problemResponse';
import { readBody } from './readBody';
import { errorMessage } from '../../../shared/errors/errorMessage';

/** What the admin routes need from the host. */
export interface AdminApi {
  functionNames(): string[];
  /** Starts a non-HTTP function by hand; throws if the function is unknown or HTTP-triggered. */
  invoke(name: string, input: string): void;
}

const invokeBodySchema = z.object({ input: z.string().optional() }).optional();

/**
 * The two admin routes of the Functions host that local tooling uses:
 * GET /admin/host/status (anonymous here, a readiness probe) and POST /admin/functions/{name}
 * with {"input": "..."} to run a timer or Service Bus function now (needs the function key,
 * which stands in for the master key locally). Returns false for any other path.
 */
export async function handleAdminRoute(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  api: AdminApi,
  functionKey: string | undefined,
): Promise<boolean> {
  const path = url.pathname.replace(/\/+$/, '').toLowerCase();
  const method = (request.method ?? 'GET').toUpperCase();
  if (path === '/admin/host/status' && method === 'GET') {
    request.resume();
    const body = JSON.stringify({ state: 'Running', functions: api.functionNames() });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return true;
  }
  const invoke = /^\/admin\/functions\/([^/]+)$/.exec(url.pathname.replace(/\/+$/, ''));
  if (!invoke || method !== 'POST') return false;

  const headerKey = request.headers['x-functions-key'];
  const auth = authorizeRequest(
    'admin',
    { header: Array.isArray(headerKey) ? headerKey[0] : headerKey, code: url.searchParams.get('code') },
    functionKey,
  );
  if (!auth.allowed) {
    request.resume();
    writeProblem(response, 401, 'Unauthorized', auth.reason);
    return true;
  }
  const raw = (await readBody(request)).toString('utf8');
  let parsed: z.infer<typeof invokeBodySchema>;
  try {
    parsed = invokeBodySchema.parse(raw.trim() === '' ? undefined : JSON.parse(raw));
  } catch {
    writeProblem(response, 400, 'Bad Request', 'The body must be JSON like {"input": "..."}.');
    return true;
  }
  const name = decodeURIComponent(invoke[1] ?? '');
  const known = api.functionNames().find((fn) => fn.toLowerCase() === name.toLowerCase());
  if (!known) {
    writeProblem(response, 404, 'Not Found', `No function is named "${name}".`);
    return true;
  }
  try {
    api.invoke(known, parsed?.input ?? '');
  } catch (error) {
    writeProblem(response, 400, 'Bad Request', errorMessage(error));
    return true;
  }
  response.writeHead(202, { 'content-length': 0 });
  response.end();
  return true;
}
