import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SqlRuleCompiler } from '../broker/buildRegistry';
import type { EntityRegistry } from '../broker/entityRegistry';
import type { ValidConfig } from '../config/load';
import type { Logger } from '../log';
import { runAdminOperation } from './adminApi';
import { refuseAdminRequest } from './adminAuth';
import type { AdminCall, AdminContext } from './adminContext';
import { AdminError, badRequest } from './adminError';
import { parseAdminPath } from './adminPaths';
import { errorXml, parseEntryContent } from './atomXml';
import { EntityCatalog } from './entityRecord';
import { errorMessage, errorStack } from '../../../shared/errors/errorMessage';

export interface AdminHttpOptions {
  registry: EntityRegistry;
  /** The Config.json the registry was built from: its entities' descriptions. */
  config: ValidConfig;
  keyName: string;
  key: string;
  compileSql?: SqlRuleCompiler | undefined;
  log: Logger;
}

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_PAGE = 100;

/** Seeds descriptions of the Config.json entities, dated at start-up. */
function seedCatalog(catalog: EntityCatalog, config: ValidConfig, now: number): void {
  const record = (properties: object | undefined) => ({
    properties: { ...(properties ?? {}) },
    echoed: {},
    createdAt: now,
    updatedAt: now,
  });
  const namespace = config.UserConfig.Namespaces[0]!;
  for (const queue of namespace.Queues ?? []) catalog.set(queue.Name, record(queue.Properties));
  for (const topic of namespace.Topics ?? []) {
    catalog.set(topic.Name, record(topic.Properties));
    for (const sub of topic.Subscriptions ?? [])
      catalog.set(`${topic.Name}/Subscriptions/${sub.Name}`, record(sub.Properties));
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(badRequest('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: string | undefined, contentType: string): void {
  response.writeHead(
    status,
    body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
  );
  response.end(body);
}

/**
 * The ATOM management endpoint ServiceBusAdministrationClient talks to, on the HTTP port beside
 * /health: SAS-authorised requests on queues, topics, subscriptions and rules.
 */
export function createAdminHandler(
  options: AdminHttpOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const catalog = new EntityCatalog(Date.now());
  seedCatalog(catalog, options.config, Date.now());
  const ctx: AdminContext = {
    registry: options.registry,
    catalog,
    compileSql: options.compileSql,
    now: Date.now,
  };
  return (request, response) => {
    void handle(request).then(
      (reply) => {
        const isFeed = reply.body !== undefined && /^<\?xml[^>]*\?><feed/.test(reply.body);
        send(
          response,
          reply.status,
          reply.body,
          `application/atom+xml;type=${isFeed ? 'feed' : 'entry'};charset=utf-8`,
        );
      },
      (error: unknown) => {
        const known = error instanceof AdminError ? error : undefined;
        if (!known)
          options.log.error(
            `admin ${request.method ?? '?'} ${request.url ?? ''} failed: ${errorStack(error)}`,
          );
        const status = known?.status ?? 500;
        send(
          response,
          status,
          errorXml(status, known?.message ?? 'internal error'),
          'application/xml; charset=utf-8',
        );
      },
    );
  };

  async function handle(request: IncomingMessage) {
    const method = request.method ?? 'GET';
    const host = request.headers.host ?? 'localhost';
    const url = new URL(request.url ?? '/', `http://${host}`);
    const refusal = refuseAdminRequest(
      request.headers.authorization,
      url.href,
      options.keyName,
      options.key,
      Date.now(),
    );
    if (refusal) {
      options.log.error(`admin ${method} ${url.pathname} refused: ${refusal}`);
      throw new AdminError(401, refusal);
    }
    let target;
    try {
      target = parseAdminPath(url.pathname);
    } catch {
      throw badRequest(`malformed path '${url.pathname}'`);
    }
    if (!target) throw badRequest('no entity named in the path');
    const body = method === 'PUT' ? await readBody(request) : '';
    let content;
    if (body.trim() !== '') {
      try {
        content = await parseEntryContent(body);
      } catch (error) {
        throw badRequest(`the body is not an ATOM entry: ${errorMessage(error)}`);
      }
    }
    const call: AdminCall = {
      baseUrl: `http://${host}`,
      isUpdate: request.headers['if-match'] === '*',
      content,
      skip: Math.max(0, Number(url.searchParams.get('$skip') ?? 0) || 0),
      top: Math.max(1, Number(url.searchParams.get('$top') ?? DEFAULT_PAGE) || DEFAULT_PAGE),
    };
    options.log.info(`admin ${method} ${url.pathname}`);
    return runAdminOperation(ctx, method, target, call);
  }
}
