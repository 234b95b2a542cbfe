/**
 * What went wrong, as text. Anything can be thrown or rejected (an Error, a string, an SDK's
 * plain object), so every catch that reports a failure goes through here.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The same with the stack where there is one: for logs a developer reads, never for API answers. */
export function errorStack(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : errorMessage(error);
}

/** An Error for what was thrown: as it is when it is one, else one whose message says what it was. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(errorMessage(error));
}
