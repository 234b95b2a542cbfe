import { isServiceBusError } from '@azure/service-bus';
import { cosmosStatus } from '../store/errors';

/** Service Bus error codes that say "the service, not the request, is the problem: try later". */
const TRANSIENT_SERVICE_BUS_CODES: ReadonlySet<string> = new Set([
  'ServiceBusy',
  'ServiceTimeout',
  'ServiceCommunicationProblem',
]);

/** Cosmos DB statuses that mean overloaded or unreachable for a moment. */
const TRANSIENT_COSMOS_STATUSES: ReadonlySet<number> = new Set([408, 429, 449, 500, 503]);

/** Node network error codes: the dependency could not be reached at all. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
]);

export type DependencyName = 'Service Bus' | 'Cosmos DB' | 'Blob storage' | 'a dependency';

/**
 * The longest an HTTP function waits for one dependency before it answers 503 with Retry-After
 * naming it: a dependency that accepts connections but does not answer would otherwise hold the
 * caller for the SDKs' own timeouts and retries (a minute and more).
 */
export const HTTP_DEPENDENCY_TIMEOUT_MS = 10_000;

/** A dependency did not answer within the time an HTTP caller is made to wait (withDeadline). */
export class DependencyTimeoutError extends Error {
  constructor(
    readonly dependency: DependencyName,
    readonly timeoutMs: number,
  ) {
    super(`${dependency} did not answer within ${timeoutMs / 1000} s`);
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * `work`, or a DependencyTimeoutError naming `dependency` once `timeoutMs` passed without an
 * answer. The work itself goes on (an SDK call cannot be cancelled): callers must make a late
 * success harmless, e.g. by the idempotent message ids of ingress sends.
 */
export async function withDeadline<T>(
  dependency: DependencyName,
  timeoutMs: number,
  work: Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(dependency, timeoutMs)), timeoutMs);
  });
  // A late failure of the abandoned work must not become an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Which dependency an error says is unavailable, if any. Such a failure is answered with 503
 * and Retry-After (the caller should retry; nothing was accepted), not with a 500 that reads
 * like a bug.
 */
export function unavailableDependency(error: unknown): DependencyName | undefined {
  if (error instanceof DependencyTimeoutError) return error.dependency;
  if (isServiceBusError(error)) {
    return TRANSIENT_SERVICE_BUS_CODES.has(error.code) ? 'Service Bus' : undefined;
  }
  const status = cosmosStatus(error);
  if (status !== undefined && TRANSIENT_COSMOS_STATUSES.has(status)) return 'Cosmos DB';
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    // The Cosmos DB SDK attaches its diagnostics to every error it raises, network ones too.
    return typeof error === 'object' && error !== null && 'diagnostics' in error
      ? 'Cosmos DB'
      : 'a dependency';
  }
  return undefined;
}
