import { errorMessage } from '../../shared/errors/errorMessage';

/**
 * What `promise` rejects with, checked to be a `type`: the test fails when it resolves instead,
 * or rejects with something else.
 */
export async function rejectionOf<T>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const outcome = await promise.then(
    () => ({ resolved: true as const }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a ${type.name}, but the call succeeded`);
  if (!(outcome.error instanceof type))
    throw new Error(`expected a ${type.name}, got ${errorMessage(outcome.error)}`);
  return outcome.error;
}
