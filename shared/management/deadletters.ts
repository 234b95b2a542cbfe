import { z } from 'zod';
import type { DeadLetterMessage, DeliveryMessage, DeliveryRecord, SubscriptionRecord } from '../domain/types';
import { conflictProblem, notFoundProblem } from '../http/problems';
import { problemFromZodError } from '../http/zodProblem';
import { DeliveryNotFoundError, type Page, type PageOptions } from '../domain/repositories';
import { type ApiResponse, json } from './apiResponse';
import type { DeadLetterListView, RedriveResultView } from './views';
import { deliveryView } from './events';
import { type ContinuationTokens, pageOfList } from './paging';
import { parseSubscriptionAddress } from './subscriptions';

/** A message in the native dead-letter sub-queue of `deliveries`: an attempt that kept crashing. */
export interface PoisonMessage {
  /** The queue whose native dead-letter sub-queue holds it. */
  queue: 'deliveries' | 'deadletters';
  deliveryId?: string;
  eventKey?: string;
  attempt?: number;
  sequenceNumber: string;
  enqueuedTimeUtc?: string;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
}

export interface DeadLetterDependencies {
  subscription(topic: string, name: string): Promise<SubscriptionRecord | undefined>;
  listDeadLettered(topic: string, subscription: string, page: PageOptions): Promise<Page<DeliveryRecord>>;
  peekPoison(topic: string, subscription: string, max: number): Promise<PoisonMessage[]>;
  /**
   * Takes up to `max` of a subscription's messages off the `deadletters` queue (its session),
   * calling `redrive` for each and removing the message only when that succeeded.
   */
  drainDeadLetters(
    topic: string,
    subscription: string,
    max: number,
    redrive: (deadLetter: DeadLetterMessage) => Promise<void>,
  ): Promise<string[]>;
  sendDeliveries(messages: DeliveryMessage[]): Promise<void>;
  markRedriven(eventKey: string, deliveryId: string): Promise<DeliveryRecord>;
  now(): Date;
}

const POISON_PEEK_LIMIT = 100;

/**
 * A subscription's dead letters: deliveries the pipeline gave up on (with reason and every
 * attempt), and poison messages Service Bus dead-lettered natively after repeated crashes.
 */
export async function listDeadLetters(
  dependencies: DeadLetterDependencies,
  input: { topic: unknown; name: unknown; page: PageOptions; tokens: ContinuationTokens },
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  const [page, poison] = await Promise.all([
    pageOfList(input.tokens, ['deadletters', topic, name], input.page, (options) =>
      dependencies.listDeadLettered(topic, name, options),
    ),
    dependencies.peekPoison(topic, name, POISON_PEEK_LIMIT),
  ]);
  return json(200, {
    items: page.items.map(deliveryView),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    poison,
  } satisfies DeadLetterListView);
}

export const redriveBodySchema = z.object({ max: z.number().int().min(1).max(1000).optional() }).strict();

export const DEFAULT_REDRIVE_MAX = 100;

/**
 * Re-enqueues up to `max` dead letters (oldest first) as fresh attempts with a new time to live,
 * and takes them off the `deadletters` queue. Each dead letter is removed only after its record
 * is reopened and its new attempt sent, so a crash in between redrives it again at worst (the
 * attempt's messageId and deliver's own check drop the copy), never loses it.
 */
export async function redriveDeadLetters(
  dependencies: DeadLetterDependencies,
  input: { topic: unknown; name: unknown; body: unknown },
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  const parsed = redriveBodySchema.safeParse(input.body ?? {});
  if (!parsed.success) throw problemFromZodError(parsed.error);
  const max = parsed.data.max ?? DEFAULT_REDRIVE_MAX;

  const subscription = await dependencies.subscription(topic, name);
  if (!subscription) throw notFoundProblem(`no subscription ${name} on topic ${topic}`);
  if (subscription.status === 'disabled') {
    throw conflictProblem(
      `subscription ${name} is disabled (${subscription.disabledReason ?? 'no reason recorded'}); PUT it again to re-enable it, then redrive`,
    );
  }
  const now = dependencies.now().toISOString();
  const redriven = await dependencies.drainDeadLetters(topic, name, max, async (deadLetter) => {
    // A fresh run of attempts: a new budget and time to live, attempt numbers still unique.
    const attempt = deadLetter.attempt + 1;
    // Reopen the record first: once the new attempt is sent it may dead-letter again at once,
    // and reopening after that would leave the record 'pending' over a real dead letter. A crash
    // between the two leaves the dead letter on the queue, so the next redrive sends it.
    await reopenRecord(dependencies, deadLetter);
    await dependencies.sendDeliveries([
      {
        deliveryId: deadLetter.deliveryId,
        eventKey: deadLetter.eventKey,
        topic,
        subscription: name,
        attempt,
        firstAttemptAt: now,
        firstAttemptNumber: attempt,
        ...(deadLetter.event
          ? { event: deadLetter.event }
          : deadLetter.payloadRef !== undefined
            ? { payloadRef: deadLetter.payloadRef }
            : {}),
      },
    ]);
  });
  return json(202, { redriven: redriven.length, deliveryIds: redriven } satisfies RedriveResultView);
}

/**
 * Marks the delivery record pending again. A dead letter can outlive a record that was never
 * written (deliver sends the dead letter before it records the attempt, and Cosmos may fail in
 * between until the message turns poison): the re-sent attempt creates the record when it runs,
 * so a missing one must not fail the redrive, nor block every later redrive of the subscription
 * behind this message.
 */
async function reopenRecord(
  dependencies: DeadLetterDependencies,
  deadLetter: DeadLetterMessage,
): Promise<void> {
  try {
    await dependencies.markRedriven(deadLetter.eventKey, deadLetter.deliveryId);
  } catch (error) {
    if (!(error instanceof DeliveryNotFoundError)) throw error;
  }
}
