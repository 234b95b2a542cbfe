/**
 * The OpenAPI 3.1 description of the HTTP API, built from what the app registers: each HTTP
 * function's name, methods, route and declared access (requires()/anonymous(), read back with
 * declaredAccess), plus the zod schemas of its bodies (components.ts) and what operations.ts says
 * about it. Pure: the caller passes the registrations (local/openapi loads functions/*.ts the way
 * the host does), so a route added anywhere shows up when `npm run openapi` runs again.
 */
import type { DeclaredAccess } from '../app/access';
import { EVENT_KEY_PATTERN } from '../events/eventKey';
import { TOPIC_NAME_PATTERN, TOPIC_NAME_RULE } from '../events/topicName';
import { PROBLEM_CONTENT_TYPE } from '../http/problem';
import { PROBLEM_TYPES } from '../http/problems';
import { SUBSCRIPTION_NAME_RULE } from '../subscriptions/subscriptionName';
import { componentSchemas, schemaRef } from './components';
import { type BodyDoc, OPERATIONS, type OperationDoc, type ResponseDoc } from './operations';

/** One HTTP function as registered (`app.get(name, { route, ...requires(...) })`). */
export interface HttpFunctionRegistration {
  name: string;
  /** Upper-case HTTP methods. */
  methods: readonly string[];
  /** The route template as registered, without the route prefix. */
  route: string;
  access: DeclaredAccess | undefined;
}

export interface DocumentOptions {
  version: string;
  /** host.json extensions.http.routePrefix; `api` by default. */
  routePrefix?: string;
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

const PATH_PARAMETERS: Readonly<Record<string, { description: string; schema: Record<string, unknown> }>> = {
  topic: { description: TOPIC_NAME_RULE, schema: { type: 'string', pattern: TOPIC_NAME_PATTERN.source } },
  name: {
    description: SUBSCRIPTION_NAME_RULE,
    schema: { type: 'string', pattern: TOPIC_NAME_PATTERN.source },
  },
  eventKey: {
    description: 'The eventKey publish returned (32 URL-safe characters).',
    schema: { type: 'string', pattern: EVENT_KEY_PATTERN.source },
  },
};

/** The problem answers, one reusable response per status (components.responses). */
const PROBLEM_RESPONSES: Readonly<
  Record<number, { name: string; description: string; type: string; headers?: Record<string, string> }>
> = {
  400: {
    name: 'BadRequest',
    description: 'The request is invalid: `errors` names each offending field.',
    type: PROBLEM_TYPES.validation,
  },
  401: {
    name: 'Unauthorized',
    description: 'No credential, or one that is not valid (unknown, revoked, expired, badly signed).',
    type: PROBLEM_TYPES.unauthorized,
    headers: {
      'www-authenticate': '`Bearer realm="switchyard"`, with `error="invalid_token"` when one was sent.',
    },
  },
  403: {
    name: 'Forbidden',
    description: 'The credential does not grant the permission (on this topic): `errors` names it.',
    type: PROBLEM_TYPES.forbidden,
  },
  404: { name: 'NotFound', description: 'No such resource.', type: PROBLEM_TYPES.notFound },
  409: {
    name: 'Conflict',
    description: 'The resource is not in a state that allows this (a disabled subscription).',
    type: PROBLEM_TYPES.conflict,
  },
  412: {
    name: 'PreconditionFailed',
    description: 'If-Match or If-None-Match did not hold.',
    type: PROBLEM_TYPES.preconditionFailed,
  },
  413: {
    name: 'PayloadTooLarge',
    description: 'An event is over 1 MB, a batch over 100 events, or the body over 10 MB.',
    type: PROBLEM_TYPES.payloadTooLarge,
  },
  415: {
    name: 'UnsupportedMediaType',
    description: 'Not a CloudEvents content type, nor binary mode (ce-specversion).',
    type: PROBLEM_TYPES.unsupportedMediaType,
  },
  500: {
    name: 'InternalError',
    description: 'An unexpected failure; the detail reveals nothing of it. Safe to retry.',
    type: PROBLEM_TYPES.internal,
  },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A dependency (Service Bus, Cosmos DB, the token issuer) did not answer in time: retry after Retry-After seconds.',
    type: PROBLEM_TYPES.serviceUnavailable,
    headers: { 'retry-after': 'Seconds to wait before trying again.' },
  },
};

const SECURITY_SCHEMES = {
  entraToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'An Entra ID (or, locally, the dev issuer) access token for this app: its `roles` claim grants the permissions (`Switchyard.Publish`, `Switchyard.Events.Read.orders`, ...).',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'sk_<name>_<secret>',
    description:
      'A Switchyard API key (PUT /keys/{name}) or the bootstrap admin key, as `Authorization: Bearer <key>`.',
  },
  functionsKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-functions-key',
    description: 'The same keys (never a token) in the header older commands use.',
  },
} as const;

const AUTHENTICATED = Object.keys(SECURITY_SCHEMES).map((scheme) => ({ [scheme]: [] }));

/** `topics/{topic}/x/{id:int}` -> `/topics/{topic}/x/{id}` and its parameter names. */
function openApiPath(route: string): { path: string; parameters: string[] } {
  const parameters: string[] = [];
  const path = route.replace(/\{\*?([A-Za-z0-9_]+)[^}]*\}/g, (_match, name: string) => {
    parameters.push(name);
    return `{${name}}`;
  });
  return { path: `/${path.replace(/^\/+/, '')}`, parameters };
}

function mediaType(body: BodyDoc) {
  return {
    schema: typeof body.schema === 'string' ? schemaRef(body.schema) : body.schema,
    ...(body.example !== undefined ? { example: body.example } : {}),
  };
}

function response(doc: ResponseDoc) {
  return {
    description: doc.description,
    ...(doc.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(doc.headers).map(([name, header]) => [
              name,
              { description: header.description, schema: header.schema ?? { type: 'string' } },
            ]),
          ),
        }
      : {}),
    ...(doc.body ? { content: { 'application/json': mediaType(doc.body) } } : {}),
  };
}

/** Who may call: the permission in words, for the operation's description. */
function accessText(access: DeclaredAccess | undefined): string {
  if (access === undefined) return 'Access: not declared.';
  if (access === 'anonymous') return 'Access: anyone, no credential.';
  const scope =
    access.topicCheck === 'route'
      ? "on the route's topic (a role or key scoped to it, or to every topic)"
      : 'on the topic the resource belongs to (checked once it is read)';
  return (
    `Access: permission \`${access.permission}\` ${access.permission === 'admin' ? '' : scope}`.trimEnd() +
    '.'
  );
}

/** An HTTP function registered without an entry in operations.ts: described from its registration. */
function undescribed(name: string, hasInput: boolean): OperationDoc {
  return {
    tag: 'other',
    summary: name,
    description: 'Not described in shared/openapi/operations.ts yet.',
    responses: { 200: { description: 'Success.', body: { schema: {} } } },
    problems: hasInput ? [400] : [],
  };
}

function operation(fn: HttpFunctionRegistration, method: string, pathParameters: string[]) {
  const doc = OPERATIONS[fn.name] ?? undescribed(fn.name, pathParameters.length > 0 || method !== 'GET');
  const secured = fn.access !== 'anonymous';
  const problemStatuses = [...(doc.problems ?? []), ...(secured ? [401, 403] : []), 500, 503].filter(
    (status) => doc.responses[status] === undefined,
  );
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(doc.responses)) responses[status] = response(answer);
  for (const status of [...new Set(problemStatuses)].sort()) {
    const problem = PROBLEM_RESPONSES[status];
    responses[String(status)] = problem
      ? { $ref: `#/components/responses/${problem.name}` }
      : {
          description: `Problem ${status}.`,
          content: { [PROBLEM_CONTENT_TYPE]: { schema: schemaRef('Problem') } },
        };
  }
  return {
    operationId: fn.methods.length > 1 ? `${fn.name}_${method.toLowerCase()}` : fn.name,
    summary: doc.summary,
    description: [doc.description, accessText(fn.access)].filter(Boolean).join('\n\n'),
    tags: [doc.tag],
    ...(fn.access !== undefined && fn.access !== 'anonymous'
      ? { 'x-switchyard-permission': fn.access.permission }
      : {}),
    security: secured ? AUTHENTICATED : [],
    parameters: [
      ...pathParameters.map((name) => ({
        name,
        in: 'path',
        required: true,
        ...(doc.pathParameters?.[name] ??
          PATH_PARAMETERS[name] ?? { description: name, schema: { type: 'string' } }),
      })),
      ...(doc.parameters ?? []).map((parameter) => ({ required: false, ...parameter })),
    ],
    ...(doc.requestBody
      ? {
          requestBody: {
            required: doc.requestBody.required,
            ...(doc.requestBody.description ? { description: doc.requestBody.description } : {}),
            content: Object.fromEntries(
              Object.entries(doc.requestBody.content).map(([type, body]) => [type, mediaType(body)]),
            ),
          },
        }
      : {}),
    responses,
  };
}

function problemResponses() {
  return Object.fromEntries(
    Object.entries(PROBLEM_RESPONSES).map(([status, problem]) => [
      problem.name,
      {
        description: problem.description,
        ...(problem.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(problem.headers).map(([name, description]) => [
                  name,
                  { description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: schemaRef('Problem'),
            example: {
              type: problem.type,
              title: problem.name.replace(/([a-z])([A-Z])/g, '$1 $2'),
              status: Number(status),
              detail: problem.description,
            },
          },
        },
      },
    ]),
  );
}

const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** The OpenAPI 3.1 document for these registrations. Deterministic: same input, same JSON. */
export function buildOpenApiDocument(
  functions: readonly HttpFunctionRegistration[],
  options: DocumentOptions,
): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of [...functions].sort((a, b) => a.name.localeCompare(b.name))) {
    const { path, parameters } = openApiPath(fn.route === '' ? fn.name : fn.route);
    for (const method of fn.methods) {
      const item = (paths[path] ??= {});
      item[method.toLowerCase()] = operation(fn, method, parameters);
    }
  }
  const sortedPaths = Object.fromEntries(
    Object.entries(paths)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, item]) => [
        path,
        Object.fromEntries(
          Object.entries(item).sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b)),
        ),
      ]),
  );
  const tags = [...new Set(Object.values(OPERATIONS).map((doc) => doc.tag))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard',
      version: options.version,
      summary: 'Serverless event router: CloudEvents in, signed webhooks and Service Bus deliveries out.',
      description: [
        'Errors are RFC 9457 problem details (`application/problem+json`) whose `errors` member names each offending field.',
        'Every route but /health and /openapi.json needs a credential: an access token, an API key, or a key in `x-functions-key`.',
        'Lists are paged: pass `continuationToken` from one page to get the next.',
        'Webhook deliveries are signed with Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and carry the event in CloudEvents structured mode.',
      ].join('\n\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: `/${options.routePrefix ?? 'api'}` }],
    tags: tags.map((name) => ({ name })),
    paths: sortedPaths,
    components: {
      schemas: componentSchemas(),
      responses: problemResponses(),
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
