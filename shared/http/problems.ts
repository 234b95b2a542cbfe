/**
 * One constructor per status the HTTP API answers with, so every error of a kind reads the same.
 * Each returns a ProblemError to `throw`; `.problem` holds the RFC 9457 body.
 */
import { type FieldError, ProblemError } from './problem';

/** Problem type URIs. Not dereferenceable (RFC 9457 allows that); stable so clients can switch on them. */
export const PROBLEM_TYPES = {
  validation: 'urn:switchyard:problem:validation',
  unauthorized: 'urn:switchyard:problem:unauthorized',
  forbidden: 'urn:switchyard:problem:forbidden',
  notFound: 'urn:switchyard:problem:not-found',
  methodNotAllowed: 'urn:switchyard:problem:method-not-allowed',
  conflict: 'urn:switchyard:problem:conflict',
  preconditionFailed: 'urn:switchyard:problem:precondition-failed',
  payloadTooLarge: 'urn:switchyard:problem:payload-too-large',
  unsupportedMediaType: 'urn:switchyard:problem:unsupported-media-type',
  serviceUnavailable: 'urn:switchyard:problem:service-unavailable',
  internal: 'urn:switchyard:problem:internal',
} as const;

/** 400: the request is malformed. `errors` names each offending field (never empty). */
export function validationProblem(errors: FieldError[], detail?: string): ProblemError {
  const first = errors[0];
  return new ProblemError({
    type: PROBLEM_TYPES.validation,
    title: 'Invalid request',
    status: 400,
    detail: detail ?? (first ? summarizeFieldErrors(errors) : 'The request is invalid.'),
    errors,
  });
}

/** 400 for a single field, the common case. */
export function invalidField(field: string, message: string): ProblemError {
  return validationProblem([{ field, message }]);
}

/**
 * 401: no credential, or one that is not valid (unknown, revoked, expired, badly signed, for
 * another audience). `WWW-Authenticate: Bearer` tells the caller how to authenticate (RFC 6750);
 * `error="invalid_token"` when a credential was sent. The detail never repeats the credential.
 */
export function unauthorizedProblem(detail: string, credentialSent: boolean): ProblemError {
  return new ProblemError(
    {
      type: PROBLEM_TYPES.unauthorized,
      title: 'Unauthorized',
      status: 401,
      detail,
      errors: [{ field: 'authorization', message: detail }],
    },
    {
      'www-authenticate': credentialSent
        ? 'Bearer realm="switchyard", error="invalid_token"'
        : 'Bearer realm="switchyard"',
    },
  );
}

/** 403: the credential is valid but does not grant `missing` (a permission, on a topic). */
export function forbiddenProblem(missing: string, detail: string): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.forbidden,
    title: 'Forbidden',
    status: 403,
    detail,
    errors: [{ field: 'permission', message: missing }],
  });
}

export function notFoundProblem(detail: string, instance?: string): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.notFound,
    title: 'Not found',
    status: 404,
    detail,
    instance,
  });
}

export function conflictProblem(detail: string, instance?: string): ProblemError {
  return new ProblemError({ type: PROBLEM_TYPES.conflict, title: 'Conflict', status: 409, detail, instance });
}

/** 412: an If-Match / If-None-Match precondition did not hold. */
export function preconditionFailedProblem(detail: string, instance?: string): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.preconditionFailed,
    title: 'Precondition failed',
    status: 412,
    detail,
    instance,
  });
}

/** 413: `field` names what is too large (`body`, `[3]`, ...). */
export function payloadTooLargeProblem(field: string, message: string): ProblemError {
  return payloadTooLargeProblemFor([{ field, message }]);
}

export function payloadTooLargeProblemFor(errors: FieldError[]): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.payloadTooLarge,
    title: 'Payload too large',
    status: 413,
    detail: summarizeFieldErrors(errors),
    errors,
  });
}

/** 415: always names `content-type`, the header the caller has to change. */
export function unsupportedMediaTypeProblem(message: string): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.unsupportedMediaType,
    title: 'Unsupported media type',
    status: 415,
    detail: message,
    errors: [{ field: 'content-type', message }],
  });
}

/** 503: a dependency (Service Bus, Cosmos DB) is unavailable; the caller may retry. */
export function serviceUnavailableProblem(detail: string, retryAfterSeconds?: number): ProblemError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined
      ? {}
      : { 'retry-after': String(Math.max(0, Math.ceil(retryAfterSeconds))) };
  return new ProblemError(
    { type: PROBLEM_TYPES.serviceUnavailable, title: 'Service unavailable', status: 503, detail },
    headers,
  );
}

/** 500 without internals: the detail is fixed so nothing sensitive from an exception leaks. */
export function internalProblem(instance?: string): ProblemError {
  return new ProblemError({
    type: PROBLEM_TYPES.internal,
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be processed; it is safe to retry.',
    instance,
  });
}

/** The problem to answer with for any thrown value: its own if it carries one, else a bare 500. */
export function problemErrorFrom(error: unknown, instance?: string): ProblemError {
  return error instanceof ProblemError ? error : internalProblem(instance);
}

const MAX_FIELDS_IN_DETAIL = 3;

/** `field: message; field: message (and 4 more)`: the first few errors as one readable line. */
export function summarizeFieldErrors(errors: readonly FieldError[]): string {
  const shown = errors.slice(0, MAX_FIELDS_IN_DETAIL).map((e) => `${e.field}: ${e.message}`);
  const more =
    errors.length > MAX_FIELDS_IN_DETAIL ? ` (and ${errors.length - MAX_FIELDS_IN_DETAIL} more)` : '';
  return shown.join('; ') + more;
}
