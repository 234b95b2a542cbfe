/**
 * The one way end-to-end tests call the Switchyard HTTP API: fetch, then check the answer against
 * the OpenAPI description (docs/openapi.json, which the unit tests keep equal to what the code
 * generates). A route, method or status the document does not list, a content type it does not
 * name, or a body its schema refuses fails the test that received it, naming what differs.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const DOCUMENT_ID = 'openapi.json';

interface MediaType {
  schema?: unknown;
}
interface Response {
  $ref?: string;
  content?: Record<string, MediaType>;
}
interface OpenApiDocument {
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, { responses: Record<string, Response> }>>;
  components: { responses: Record<string, Response> };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body when it is JSON (application/json, application/problem+json), else undefined. */
  json: unknown;
}

export class ContractViolation extends Error {
  override name = 'ContractViolation';
}

/** `/topics/{topic}/events` -> a RegExp matching concrete paths (a parameter is one segment). */
function templatePattern(template: string): RegExp {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

const contentTypeOf = (headers: Headers) =>
  (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

const pointer = (...segments: string[]) =>
  segments.map((segment) => `/${segment.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

const PROBLEM_POINTER = '/components/schemas/Problem';

/** Checks answers against one OpenAPI document. */
export class ApiContract {
  readonly #document: OpenApiDocument;
  readonly #ajv: Ajv2020;
  readonly #prefix: string;
  readonly #routes: Array<{ template: string; pattern: RegExp }>;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(document: unknown) {
    this.#document = document as OpenApiDocument;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.#ajv);
    this.#ajv.addSchema(document as object, DOCUMENT_ID);
    this.#prefix = this.#document.servers[0]?.url.replace(/\/$/, '') ?? '';
    this.#routes = Object.keys(this.#document.paths)
      // Literal segments before parameters, as the host matches (`/ingress/deadletters/redrive` first).
      .sort((a, b) => a.split('{').length - b.split('{').length)
      .map((template) => ({ template, pattern: templatePattern(template) }));
  }

  /** Throws a ContractViolation unless the document lists this answer and its body fits. */
  check(method: string, url: string, answer: Omit<ApiAnswer, 'json'>): unknown {
    const where = `${method.toUpperCase()} ${url} -> ${answer.status}`;
    const pathname = new URL(url).pathname;
    if (!pathname.startsWith(`${this.#prefix}/`)) {
      throw new ContractViolation(`${where}: not under the API's server URL ${this.#prefix}`);
    }
    // The host routes `/topics/a/subscriptions/` as `/topics/a/subscriptions`.
    const path = pathname.slice(this.#prefix.length).replace(/(.)\/+$/, '$1');
    const route = this.#routes.find(({ pattern }) => pattern.test(path));
    const operation = route && this.#document.paths[route.template]?.[method.toLowerCase()];
    if (!route || !operation) {
      // Not the app's answer but the host's routing: 404 for an unknown path, 405 for a method
      // the path does not take (problem+json from the dev host; the Functions host sends no body).
      const hostStatus = route ? 405 : 404;
      if (answer.status === hostStatus) return this.#checkBody(where, answer, PROBLEM_POINTER, true);
      throw new ContractViolation(
        route
          ? `${where}: ${route.template} has no ${method} operation`
          : `${where}: no path of the OpenAPI document matches ${path}`,
      );
    }

    let responsePointer = pointer(
      'paths',
      route.template,
      method.toLowerCase(),
      'responses',
      String(answer.status),
    );
    let response = operation.responses[String(answer.status)];
    if (!response) {
      throw new ContractViolation(
        `${where}: status ${answer.status} is not documented for ${method} ${route.template} (documented: ${Object.keys(operation.responses).join(', ')}); body: ${answer.text.slice(0, 500)}`,
      );
    }
    if (response.$ref) {
      const name = response.$ref.replace('#/components/responses/', '');
      responsePointer = pointer('components', 'responses', name);
      response = this.#document.components.responses[name] ?? {};
    }
    if (!response.content) {
      if (answer.text !== '') {
        throw new ContractViolation(
          `${where}: documented without a body, but got: ${answer.text.slice(0, 200)}`,
        );
      }
      return undefined;
    }
    const contentType = contentTypeOf(answer.headers);
    if (!response.content[contentType]) {
      throw new ContractViolation(
        `${where}: content type "${contentType}" is not documented (documented: ${Object.keys(response.content).join(', ')})`,
      );
    }
    return this.#checkBody(where, answer, responsePointer + pointer('content', contentType, 'schema'), false);
  }

  /** The body parsed and checked against the schema at `schemaPointer`; an empty body only if allowed. */
  #checkBody(
    where: string,
    answer: Omit<ApiAnswer, 'json'>,
    schemaPointer: string,
    mayBeEmpty: boolean,
  ): unknown {
    if (mayBeEmpty && answer.text === '') return undefined;
    const contentType = contentTypeOf(answer.headers);
    const isJson = /json/.test(contentType);
    let body: unknown = answer.text;
    if (isJson) {
      try {
        body = JSON.parse(answer.text) as unknown;
      } catch {
        throw new ContractViolation(
          `${where}: ${contentType} that is not JSON: ${answer.text.slice(0, 200)}`,
        );
      }
    }
    const validate = this.#validator(schemaPointer);
    if (!validate(body)) {
      throw new ContractViolation(
        `${where}: the body does not match the documented schema: ${this.#ajv.errorsText(validate.errors, { separator: '; ' })}; body: ${answer.text.slice(0, 1000)}`,
      );
    }
    return isJson ? body : undefined;
  }

  #validator(schemaPointer: string): ValidateFunction {
    let validate = this.#validators.get(schemaPointer);
    if (!validate) {
      validate = this.#ajv.getSchema(`${DOCUMENT_ID}#${schemaPointer}`);
      if (!validate) throw new ContractViolation(`the OpenAPI document has no schema at ${schemaPointer}`);
      this.#validators.set(schemaPointer, validate);
    }
    return validate;
  }
}

let contract: ApiContract | undefined;

/** The contract of this repository's docs/openapi.json (read once). */
export function apiContract(): ApiContract {
  contract ??= new ApiContract(
    JSON.parse(readFileSync(resolve(__dirname, '../../docs/openapi.json'), 'utf8')) as unknown,
  );
  return contract;
}

/**
 * fetch for the Switchyard API (`url` includes the route prefix, e.g. `http://127.0.0.1:7071/api/health`):
 * reads the whole answer and checks it against the OpenAPI description before returning it.
 */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<ApiAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  const answer = { status: response.status, headers: response.headers, text };
  const json = apiContract().check(init.method ?? 'GET', url, answer);
  return { ...answer, json };
}
