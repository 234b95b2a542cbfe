/**
 * RFC 9457 problem details: the one error shape every Switchyard HTTP API returns.
 * `errors` extends the standard members so a client can point at the offending field.
 */

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid field: a JSON path such as `destination.endpointUrl`, `[3].source` or a header name. */
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  /** A URI identifying the problem type; `about:blank` when the status says it all. */
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string | undefined;
  errors?: FieldError[];
}

/**
 * Thrown by parsers and handlers when the caller made a mistake (or a dependency is down),
 * so the function edge can answer with the problem instead of a generic 500.
 * `headers` carries what the status needs alongside it (Allow, WWW-Authenticate, Retry-After).
 */
export class ProblemError extends Error {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;

  constructor(problem: Problem, headers: Record<string, string> = {}) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = 'ProblemError';
    this.problem = problem;
    this.headers = headers;
  }
}

/** Shaped to be assignable to @azure/functions' HttpResponseInit without importing it. */
export interface ProblemResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function toProblemResponse(problem: Problem, headers: Record<string, string> = {}): ProblemResponse {
  return {
    status: problem.status,
    headers: { ...headers, 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem),
  };
}
