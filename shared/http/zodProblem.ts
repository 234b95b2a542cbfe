/**
 * Zod validation failures as 400 problems whose errors name field paths the way a client
 * writes them: `destination.endpointUrl`, `filter.advancedFilters[0].key`, `[3].source`.
 */
import type { z } from 'zod';

import type { FieldError, ProblemError } from './problem';
import { validationProblem } from './problems';

/** `['destination', 'endpointUrl']` -> `destination.endpointUrl`; numbers become `[n]`. */
export function formatFieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/**
 * Flattens zod issues into field errors. `prefix` is prepended to every path (e.g. `[3]` for the
 * fourth event of a batch); a root-level issue is reported as `rootField` (default `body`).
 * Unknown keys get one error each so the client sees exactly which ones to remove.
 */
export function fieldErrorsFromZod(error: z.ZodError, prefix = '', rootField = 'body'): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        errors.push({ field: formatFieldPath([...issue.path, key], prefix), message: 'unknown field' });
      }
      continue;
    }
    const field = formatFieldPath(issue.path, prefix);
    errors.push({ field: field === '' ? rootField : field, message: issue.message });
  }
  return errors;
}

/** A 400 ProblemError naming every invalid field of a zod failure. */
export function problemFromZodError(error: z.ZodError, prefix = ''): ProblemError {
  return validationProblem(fieldErrorsFromZod(error, prefix));
}
