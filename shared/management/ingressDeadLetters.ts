import type { ServiceBusMessage } from '@azure/service-bus';
import { z } from 'zod';
import { invalidField } from '../http/problems';
import { problemFromZodError } from '../http/zodProblem';
import { ingressMessageFromOriginal, originalFromDeadLetter } from '../pipeline/ingressDeadLetter';
import { parseRejectedIngress, type RejectedIngressRecord } from '../pipeline/rejectedIngress';
import { type PageOptions, pageSize } from '../domain/repositories';
import { type ApiResponse, json } from './apiResponse';
import type { IngressDeadLetterListView, IngressRedriveResultView } from './views';
import { DEFAULT_REDRIVE_MAX } from './deadletters';
import { type ContinuationTokens, pageOfList } from './paging';

/** A message of the `$ingress` session of `deadletters`, peeked (never consumed). */
export interface PeekedRejection {
  /** Service Bus sequence number, as a decimal string (it is a 64-bit integer). */
  sequenceNumber: string;
  body: unknown;
}

/** One message of the `$ingress` session of the `deadletters` queue. */
export interface IngressDeadLetter {
  body: unknown;
  /** Its sequence number: fixed for the message, never reused by the queue. */
  sequenceNumber: string;
}

export interface IngressDeadLetterDependencies {
  /** Up to `max` messages of the `$ingress` session, from sequence number `from` on, in order. */
  peekRejectedIngress(from: bigint, max: number): Promise<PeekedRejection[]>;
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

/** What the API shows of one refused ingress message. */
export type IngressDeadLetterView = { sequenceNumber: string } & (
  RejectedIngressRecord | { reason: 'Unreadable'; description: string }
);

/**
 * Inside the opaque token (shared/management/paging.ts), this route's continuation is the
 * sequence number the next page starts at: the session is read by sequence number.
 */
const SEQUENCE_NUMBER = /^(?:0|[1-9][0-9]{0,18})$/;
const MAX_SEQUENCE_NUMBER = 2n ** 63n - 1n;

function startOf(page: PageOptions): bigint {
  const token = page.continuationToken;
  if (token === undefined) return 0n;
  if (!SEQUENCE_NUMBER.test(token) || BigInt(token) > MAX_SEQUENCE_NUMBER) {
    throw invalidField('continuationToken', 'is not a continuation token this route issued');
  }
  return BigInt(token);
}

/**
 * Ingress messages Switchyard refused, oldest first, with the reason and what identifies the
 * original (its messageId, enqueued time and application properties): how a publisher that
 * sends to Service Bus finds out why its message was not routed. Paged like every list.
 */
export async function listIngressDeadLetters(
  dependencies: IngressDeadLetterDependencies,
  input: { page: PageOptions; tokens: ContinuationTokens },
): Promise<ApiResponse> {
  const page = await pageOfList(input.tokens, ['ingressDeadLetters'], input.page, async (opened) => {
    const from = startOf(opened);
    const size = pageSize(opened.maxItems);
    // One more than a page: whether it comes back says if there is a next page.
    const peeked = await dependencies.peekRejectedIngress(from, size + 1);
    const next = peeked[size];
    return {
      items: peeked.slice(0, size).map(viewOf),
      ...(next ? { continuationToken: next.sequenceNumber } : {}),
    };
  });
  return json(200, page satisfies IngressDeadLetterListView);
}

function viewOf(message: PeekedRejection): IngressDeadLetterView {
  const record = parseRejectedIngress(message.body);
  if (!record) {
    return {
      sequenceNumber: message.sequenceNumber,
      reason: 'Unreadable',
      description: 'this message of the $ingress session is not a rejected ingress message',
    };
  }
  return { sequenceNumber: message.sequenceNumber, ...record };
}

export const ingressRedriveBodySchema = z
  .object({ max: z.number().int().min(1).max(1000).optional() })
  .strict();

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
  const parsed = ingressRedriveBodySchema.safeParse(input.body ?? {});
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
  return json(202, result satisfies IngressRedriveResultView);
}
