import type { ServiceBusMessage } from '@azure/service-bus';
import { z } from 'zod';
import { problemFromZodError } from '../http/zodProblem';
import { ingressMessageFromOriginal, originalFromDeadLetter } from '../pipeline/ingressDeadLetter';
import { type ApiResponse, json } from './apiResponse';
import { DEFAULT_REDRIVE_MAX } from './deadletters';

/** One message of the `$ingress` session of the `deadletters` queue. */
export interface IngressDeadLetter {
  body: unknown;
  /** Its sequence number: fixed for the message, never reused by the queue. */
  sequenceNumber: string;
}

export interface IngressDeadLetterDependencies {
  /**
   * Takes up to `max` of the messages the `$ingress` session holds when it starts (never those
   * that arrive meanwhile), calling `handle` for each. `redriven` removes the message; `kept`
   * moves it to the end of the session. A throw leaves it and ends the drain with the error.
   */
  drainIngressDeadLetters(
    max: number,
    handle: (deadLetter: IngressDeadLetter) => Promise<'redriven' | 'kept'>,
  ): Promise<{ redriven: number; kept: number }>;
  sendIngress(message: ServiceBusMessage): Promise<void>;
}

const redriveBodySchema = z.object({ max: z.number().int().min(1).max(1000).optional() }).strict();

/**
 * Sends up to `max` ingress dead letters (oldest first) back to the `ingress` queue, where route
 * takes them as new. Only dead letters that carry their original message can go back: those the
 * reconcile timer made of ingress poison and expired messages. Messages rejected as no valid
 * event would only be rejected again: they are kept, for the publisher to fix and send anew.
 */
export async function redriveIngressDeadLetters(
  dependencies: IngressDeadLetterDependencies,
  input: { body: unknown },
): Promise<ApiResponse> {
  const parsed = redriveBodySchema.safeParse(input.body ?? {});
  if (!parsed.success) throw problemFromZodError(parsed.error);
  const max = parsed.data.max ?? DEFAULT_REDRIVE_MAX;
  const result = await dependencies.drainIngressDeadLetters(max, async (deadLetter) => {
    const original = originalFromDeadLetter(deadLetter.body);
    if (!original) return 'kept';
    await dependencies.sendIngress(
      ingressMessageFromOriginal(original, `ingress-redrive-${deadLetter.sequenceNumber}`),
    );
    return 'redriven';
  });
  return json(202, result);
}
