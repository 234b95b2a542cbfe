import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDatabase } from '../../local/stack/backingServices';
import { startCosmosServer } from '../../local/stack/cosmos';

/** What a request to the Cosmos DB REST API was, as the account would bill it. */
export type CosmosRequestKind =
  | 'point read'
  | 'create'
  | 'upsert'
  | 'replace'
  | 'patch'
  | 'delete'
  | 'query'
  | 'query plan'
  | 'read feed'
  /** One bulk request: its operations are counted on their own, as `create (in bulk)`. */
  | 'bulk request'
  | 'create (in bulk)'
  | 'metadata';

export interface CosmosRequestTally {
  count: number;
  /** Request bodies (documents written, queries): content-length. */
  requestBytes: number;
  /** Response bodies (documents read, query pages). */
  responseBytes: number;
}

/** container -> kind -> status class (2xx, 404, 409, 412, ...) -> tally. */
export type CosmosTally = Record<string, Record<string, Record<string, CosmosRequestTally>>>;

const DOCS_PATH = /^\/dbs\/[^/]+\/colls\/([^/]+)\/docs(?:\/([^/]+))?\/?$/;

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** Classifies one request by method, path and the SDK's headers. Pure. */
export function classifyCosmosRequest(request: IncomingMessage): {
  container: string;
  kind: CosmosRequestKind;
} {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const match = DOCS_PATH.exec(path);
  if (!match) return { container: '(account)', kind: 'metadata' };
  const container = decodeURIComponent(match[1]!);
  const hasId = match[2] !== undefined;
  const method = (request.method ?? 'GET').toUpperCase();
  if (method === 'POST' && !hasId) {
    if (/^true$/i.test(header(request, 'x-ms-cosmos-is-batch-request')))
      return { container, kind: 'bulk request' };
    if (/^true$/i.test(header(request, 'x-ms-cosmos-is-query-plan-request')))
      return { container, kind: 'query plan' };
    if (/^true$/i.test(header(request, 'x-ms-documentdb-isquery'))) return { container, kind: 'query' };
    if (/^true$/i.test(header(request, 'x-ms-documentdb-is-upsert'))) return { container, kind: 'upsert' };
    return { container, kind: 'create' };
  }
  if (method === 'GET') return { container, kind: hasId ? 'point read' : 'read feed' };
  if (method === 'PUT') return { container, kind: 'replace' };
  if (method === 'PATCH') return { container, kind: 'patch' };
  if (method === 'DELETE') return { container, kind: 'delete' };
  return { container, kind: 'metadata' };
}

/** The operations of a bulk response: `[{statusCode, resourceBody?}, ...]`. */
function bulkOperations(body: string): Array<{ statusCode: number; documentBytes: number }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.map((entry: { statusCode?: unknown; resourceBody?: unknown }) => ({
    statusCode: Number(entry.statusCode) || 0,
    documentBytes:
      entry.resourceBody === undefined ? 0 : Buffer.byteLength(JSON.stringify(entry.resourceBody)),
  }));
}

function statusClass(status: number): string {
  return status >= 200 && status < 300 ? '2xx' : String(status);
}

export interface CountingCosmos {
  connectionString: string;
  /** A copy of the counts so far. */
  snapshot(): CosmosTally;
  close(): Promise<void>;
}

/**
 * The stack's Cosmos DB server, run here with a listener that counts every request the app makes
 * (by container, kind and answer) and the bytes of each request and response body. The server
 * itself answers as it does for `npm start`; the stack is told to use it as an external part.
 */
export async function startCountingCosmos(database: string): Promise<CountingCosmos> {
  const tally: CosmosTally = {};
  const add = (container: string, kind: CosmosRequestKind, status: number, seen: CosmosRequestTally) => {
    const byKind = (tally[container] ??= {});
    const byStatus = (byKind[kind] ??= {});
    const entry = (byStatus[statusClass(status)] ??= { count: 0, requestBytes: 0, responseBytes: 0 });
    entry.count += seen.count;
    entry.requestBytes += seen.requestBytes;
    entry.responseBytes += seen.responseBytes;
  };
  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    const { container, kind } = classifyCosmosRequest(request);
    const requestBytes = Number(header(request, 'content-length')) || 0;
    // The server answers with one end(body) and no content-length header: count what end() gets.
    let responseBody = '';
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      const [body] = args;
      if (typeof body === 'string' || Buffer.isBuffer(body)) responseBody += body.toString();
      return end(...args);
    }) as ServerResponse['end'];
    response.once('finish', () => {
      const responseBytes = Buffer.byteLength(responseBody);
      add(container, kind, response.statusCode, { count: 1, requestBytes, responseBytes });
      // A bulk request is billed as its operations: each one with its own answer and document.
      if (kind === 'bulk request' && response.statusCode < 300) {
        for (const operation of bulkOperations(responseBody)) {
          add(container, 'create (in bulk)', operation.statusCode, {
            count: 1,
            requestBytes: 0,
            responseBytes: operation.documentBytes,
          });
        }
      }
    });
  };
  const server = await startCosmosServer({ port: 0, onRequest });
  try {
    await createDatabase(server.connectionString, database);
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    connectionString: server.connectionString,
    snapshot: () => structuredClone(tally),
    close: () => server.close(),
  };
}
