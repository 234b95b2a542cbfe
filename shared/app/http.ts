import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { toProblemResponse } from '../http/problem';
import { invalidField, problemErrorFrom, serviceUnavailableProblem } from '../http/problems';
import type { ApiResponse } from '../management/apiResponse';
import { log, recordActiveSpanException } from '../telemetry';
import {
  type DependencyName,
  DependencyTimeoutError,
  HTTP_DEPENDENCY_TIMEOUT_MS,
  unavailableDependency,
  withDeadline,
} from './dependencyOutage';
import { errorMessage, errorStack } from '../errors/errorMessage';

/** Seconds a 503 for an unavailable dependency asks the caller to wait before trying again. */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * Runs one management/publish operation and maps its outcome to the HTTP response: the result
 * as JSON, a ProblemError as its problem+json, a dependency outage as 503 with Retry-After,
 * anything else as a 500 problem that reveals nothing of the error (which goes to the log).
 */
export async function respond(
  context: InvocationContext,
  operation: () => Promise<ApiResponse>,
): Promise<HttpResponseInit> {
  try {
    const result = await operation();
    return {
      status: result.status,
      headers: {
        ...result.headers,
        ...(result.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(result.body !== undefined ? { body: JSON.stringify(result.body) } : {}),
    };
  } catch (error) {
    const unavailable = unavailableDependency(error);
    const problem = unavailable
      ? serviceUnavailableProblem(
          error instanceof DependencyTimeoutError
            ? // The call may still go through: only an idempotent retry is safe to promise.
              `${error.message}; the request may or may not have taken effect: try it again (a repeated publish of the same source and id is dropped as a duplicate)`
            : `${unavailable} is unavailable for the moment; nothing was changed, try again`,
          DEPENDENCY_RETRY_AFTER_SECONDS,
        )
      : problemErrorFrom(error);
    if (problem.problem.status >= 500) {
      // Answered, not thrown: record it on the request so it shows as an exception.
      recordActiveSpanException(error);
      log('error', `${context.functionName} failed: ${errorStack(error)}`, {}, context);
    }
    return toProblemResponse(problem.problem, { ...problem.headers });
  }
}

/**
 * `operation`, given HTTP_DEPENDENCY_TIMEOUT_MS to finish: for operations that call one
 * dependency, so that one that does not answer gets the caller a 503 naming it (via respond).
 */
export function waitingFor(
  dependency: DependencyName,
  operation: () => Promise<ApiResponse>,
): () => Promise<ApiResponse> {
  return () => withDeadline(dependency, HTTP_DEPENDENCY_TIMEOUT_MS, operation());
}

/** The request body as JSON; 400 naming `body` when it is not. An empty body is undefined. */
export async function jsonBody(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidField('body', `is not valid JSON: ${errorMessage(error)}`);
  }
}
