import { invalidField } from '../http/problems';
import { parseRejectedIngress, type RejectedIngressRecord } from '../pipeline/rejectedIngress';
import { pageSize, type PageOptions } from '../store/documents';
import { type ApiResponse, json } from './apiResponse';

/** A message of the `$ingress` session of `deadletters`, peeked (never consumed). */
export interface PeekedRejection {
  /** Service Bus sequence number, as a decimal string (it is a 64-bit integer). */
  sequenceNumber: string;
  body: unknown;
}

export interface IngressDeadLetterDependencies {
  /** Up to `max` messages of the `$ingress` session, from sequence number `from` on, in order. */
  peekRejectedIngress(from: bigint, max: number): Promise<PeekedRejection[]>;
}

/** What the API shows of one refused ingress message. */
export type IngressDeadLetterView = { sequenceNumber: string } & (
  RejectedIngressRecord | { reason: 'Unreadable'; description: string }
);

/**
 * A continuation token of this route is the sequence number the next page starts at: the
 * session is read by sequence number, so that is all a reader needs. Anything else is refused.
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
  input: { page: PageOptions },
): Promise<ApiResponse> {
  const from = startOf(input.page);
  const size = pageSize(input.page.maxItems);
  // One more than a page: whether it comes back says if there is a next page.
  const peeked = await dependencies.peekRejectedIngress(from, size + 1);
  const items = peeked.slice(0, size).map(viewOf);
  const next = peeked[size];
  return json(200, { items, ...(next ? { continuationToken: next.sequenceNumber } : {}) });
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
