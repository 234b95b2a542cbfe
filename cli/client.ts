/**
 * The API client: openapi-fetch over the types generated from docs/openapi.json
 * (cli/api/schema.ts, `npm run cli:types`), so a route or body the API changes breaks the CLI's
 * build. Every call has a deadline; every failure becomes a CliError with its exit code.
 */
import { exec } from 'node:child_process';
import createClient, { type Client } from 'openapi-fetch';
import { errorMessage } from '../shared/errors/errorMessage';
import type { paths } from './api/schema';
import type { Credential, Target } from './config';
import { CliError, EXIT, exitCodeForStatus } from './exitCodes';

export type ApiClient = Client<paths>;

const REQUEST_TIMEOUT_MS = 30_000;
const TOKEN_COMMAND_TIMEOUT_MS = 60_000;

/** Runs a profile's tokenCommand; its standard output, trimmed, is the token. */
function tokenFromCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    exec(command, { timeout: TOKEN_COMMAND_TIMEOUT_MS }, (error, stdout) => {
      const token = stdout.trim();
      if (error || token === '') {
        reject(
          new CliError(
            `the profile's tokenCommand failed${error ? `: ${errorMessage(error)}` : ': it printed nothing'}`,
            EXIT.usage,
          ),
        );
        return;
      }
      resolve(token);
    });
  });
}

async function bearerValue(credential: Credential): Promise<string> {
  return credential.kind === 'tokenCommand' ? tokenFromCommand(credential.command) : credential.value;
}

export async function createApiClient(target: Target): Promise<ApiClient> {
  const headers: Record<string, string> = { 'user-agent': 'switchyard-cli' };
  if (target.credential) headers.authorization = `Bearer ${await bearerValue(target.credential)}`;
  return createClient<paths>({
    baseUrl: `${target.url}/api`,
    headers,
    fetch: (request: Request) => fetch(request, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }),
  });
}

interface FieldError {
  field?: unknown;
  message?: unknown;
}

/** A refused call in one line: status, the problem's title and detail, and the fields it names. Pure. */
export function describeFailure(status: number, statusText: string, body: unknown): string {
  if (body && typeof body === 'object') {
    const problem = body as { title?: unknown; detail?: unknown; errors?: unknown };
    const title = typeof problem.title === 'string' ? problem.title : statusText;
    const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
    const fields = Array.isArray(problem.errors)
      ? (problem.errors as FieldError[])
          .filter((error) => typeof error.field === 'string' && typeof error.message === 'string')
          .map((error) => `${String(error.field)}: ${String(error.message)}`)
      : [];
    const fieldText = fields.length > 0 && !detail.includes(fields[0] ?? '') ? ` (${fields.join('; ')})` : '';
    return `${status} ${title}${detail}${fieldText}`;
  }
  const text = typeof body === 'string' && body.trim() !== '' ? `: ${body.trim().slice(0, 300)}` : '';
  return `${status} ${statusText}${text}`;
}

/** Why a request never got an answer: the network error's code (ECONNREFUSED...) or a timeout. Pure. */
export function describeUnreachable(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : errorMessage(error);
}

interface ApiResult<Data> {
  data?: Data;
  error?: unknown;
  response: Response;
}

/**
 * Awaits one call: the 2xx body and response, or a CliError (exit 1 for a 4xx, 3 for a 5xx or
 * no answer) whose message says what failed and where.
 */
export async function expectOk<Data>(
  target: Target,
  pending: Promise<ApiResult<Data>>,
): Promise<{ data: Data | undefined; response: Response }> {
  let result: ApiResult<Data>;
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(
      `cannot reach Switchyard at ${target.url} (${target.from}): ${describeUnreachable(error)}`,
      EXIT.unavailable,
    );
  }
  const { response } = result;
  if (!response.ok) {
    throw new CliError(
      describeFailure(response.status, response.statusText, result.error),
      exitCodeForStatus(response.status),
      result.error,
    );
  }
  return { data: result.data, response };
}

/** The same, for calls whose success always has a body. */
export async function expectBody<Data>(target: Target, pending: Promise<ApiResult<Data>>): Promise<Data> {
  const { data, response } = await expectOk(target, pending);
  if (data === undefined) {
    throw new CliError(`${response.status} answer without the expected body`, EXIT.unavailable);
  }
  return data;
}
