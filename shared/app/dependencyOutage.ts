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

/**
 * Which dependency an error says is unavailable, if any. Such a failure is answered with 503
 * and Retry-After (the caller should retry; nothing was accepted), not with a 500 that reads
 * like a bug.
 */
export function unavailableDependency(
  error: unknown,
): 'Service Bus' | 'Cosmos DB' | 'a dependency' | undefined {
  if (isServiceBusError(error))
    {return TRANSIENT_SERVICE_BUS_CODES.has(error.code) ? 'Service Bus' : undefined;}
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
