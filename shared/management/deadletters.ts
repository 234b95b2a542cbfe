import { z } from 'zod';
import type { DeliveryMessage, DeliveryRecord, EventRecord, SubscriptionRecord } from '../domain/types';
import { conflictProblem, notFoundProblem } from '../http/problems';
import { problemFromZodError } from '../http/zodProblem';
import type { Page, PageOptions } from '../store/documents';
import { type ApiResponse, json } from './apiResponse';
import { deliveryView } from './events';
import { parseSubscriptionAddress } from './subscriptions';

/** A message in the native dead-letter sub-queue of `deliveries`: an attempt that kept crashing. */
export interface PoisonMessage {
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
  getEvent(eventKey: string): Promise<EventRecord | undefined>;
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
  input: { topic: unknown; name: unknown; page: PageOptions },
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  const [page, poison] = await Promise.all([
    dependencies.listDeadLettered(topic, name, input.page),
    dependencies.peekPoison(topic, name, POISON_PEEK_LIMIT),
  ]);
  return json(200, {
    items: page.items.map(deliveryView),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    poison,
  });
}

const redriveBodySchema = z.object({ max: z.number().int().min(1).max(1000).optional() }).strict();

export const DEFAULT_REDRIVE_MAX = 100;

/**
 * Re-enqueues up to `max` dead-lettered deliveries (oldest first) as fresh attempts with a new
 * time to live. The message is sent before the record is reopened, so a crash in between leaves
 * a delivery that is both re-attempted and still listed, never one that is lost.
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
  const { items } = await dependencies.listDeadLettered(topic, name, { maxItems: max });
  const now = dependencies.now().toISOString();
  const redriven: string[] = [];
  for (const delivery of items) {
    const event = await dependencies.getEvent(delivery.eventKey);
    if (!event) continue; // the event record expired: nothing left to deliver
    const lastAttempt = delivery.attempts.reduce((highest, attempt) => Math.max(highest, attempt.n), 0);
    await dependencies.sendDeliveries([
      {
        deliveryId: delivery.deliveryId,
        eventKey: delivery.eventKey,
        topic,
        subscription: name,
        attempt: lastAttempt + 1,
        firstAttemptAt: now,
        firstAttemptNumber: lastAttempt + 1,
        ...(event.event ? { event: event.event } : { payloadRef: event.payloadRef }),
      },
    ]);
    await dependencies.markRedriven(delivery.eventKey, delivery.deliveryId);
    redriven.push(delivery.deliveryId);
  }
  return json(202, { redriven: redriven.length, deliveryIds: redriven });
}
