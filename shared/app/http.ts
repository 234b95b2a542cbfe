import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { toProblemResponse } from '../http/problem';
import { invalidField, problemErrorFrom, serviceUnavailableProblem } from '../http/problems';
import type { ApiResponse } from '../management/apiResponse';
import { log, recordActiveSpanException } from '../telemetry';
import { unavailableDependency } from './dependencyOutage';
import { errorMessage, errorStack } from '../errors/errorMessage';

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
          `${unavailable} is unavailable for the moment; nothing was changed, try again`,
          5,
        )
      : problemErrorFrom(error);
    if (problem.problem.status >= 500) {
      // Answered, not thrown: record it on the request so it shows as an exception.
      recordActiveSpanException(error);
      log(
        'error',
        `${context.functionName} failed: ${errorStack(error)}`,
        {},
        context,
      );
    }
    return toProblemResponse(problem.problem, { ...problem.headers });
  }
}

/** The request body as JSON; 400 naming `body` when it is not. An empty body is undefined. */
export async function jsonBody(request: HttpRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw invalidField(
      'body',
      `is not valid JSON: ${errorMessage(error)}`,
    );
  }
}
