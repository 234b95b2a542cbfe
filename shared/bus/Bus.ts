import {
  isServiceBusError,
  type ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusMessageBatch,
  type ServiceBusSender,
} from '@azure/service-bus';
import { MicroBatcher } from '../batching/MicroBatcher';
import { QUEUES } from '../config/names';
import type { DeadLetterMessage, DeliveryMessage } from '../domain/types';
import {
  toDeadLetterServiceBusMessage,
  toDeliveryServiceBusMessage,
  type TraceProperties,
} from './deliveryMessages';
import { asError } from '../errors/errorMessage';

/** Messages sent in one flush of an entity's group commit; they fill as many batches as needed. */
const MAX_MESSAGES_PER_FLUSH = 1000;

export class MessageTooLargeError extends Error {
  constructor(entity: string) {
    super(`a message for ${entity} does not fit in one Service Bus message; it needs a claim check`);
    this.name = 'MessageTooLargeError';
  }
}

/**
 * Sends to Service Bus. Senders are opened once per entity and kept (opening one costs a round
 * trip and an AMQP link); close() closes them and the client.
 */
export class Bus {
  private readonly senders = new Map<string, ServiceBusSender>();
  private readonly batchers = new Map<string, MicroBatcher<ServiceBusMessage, Error | undefined>>();

  constructor(private readonly client: ServiceBusClient) {}

  /** Events for the route function, as few batches as fit. */
  async sendIngress(messages: ServiceBusMessage[]): Promise<void> {
    await this.sendInBatches(QUEUES.ingress, messages);
  }

  /**
   * First attempts of deliveries, as few batches as fit. `traceProperties` (traceparent) carry
   * the publish request's trace into the deliver function.
   */
  async sendDeliveries(messages: DeliveryMessage[], traceProperties: TraceProperties = {}): Promise<void> {
    await this.sendInBatches(
      QUEUES.deliveries,
      messages.map((message) => toDeliveryServiceBusMessage(message, traceProperties)),
    );
  }

  /** A later attempt, enqueued by Service Bus at `at` (a retry without a sleep). */
  async scheduleDelivery(
    message: DeliveryMessage,
    at: Date,
    traceProperties: TraceProperties = {},
  ): Promise<void> {
    await this.scheduleMessage(QUEUES.deliveries, toDeliveryServiceBusMessage(message, traceProperties), at);
  }

  /** Any message, enqueued by Service Bus on `queue` at `at` (e.g. a copy postponed for an outage). */
  async scheduleMessage(queue: string, message: ServiceBusMessage, at: Date): Promise<void> {
    await this.sender(queue).scheduleMessages(message, at);
  }

  async sendDeadLetter(message: DeadLetterMessage, traceProperties: TraceProperties = {}): Promise<void> {
    await this.sendRawDeadLetter(toDeadLetterServiceBusMessage(message, traceProperties));
  }

  /** A dead letter that is not a delivery (an ingress message that is no valid event). */
  async sendRawDeadLetter(message: ServiceBusMessage): Promise<void> {
    await this.sender(QUEUES.deadletters).sendMessages(message);
  }

  /** A Service Bus queue destination of a subscription. */
  async sendToQueue(name: string, message: ServiceBusMessage): Promise<void> {
    await this.sender(name).sendMessages(message);
  }

  /** A Service Bus topic destination of a subscription. */
  async sendToTopic(name: string, message: ServiceBusMessage): Promise<void> {
    await this.sender(name).sendMessages(message);
  }

  async close(): Promise<void> {
    const senders = [...this.senders.values()];
    this.senders.clear();
    this.batchers.clear();
    await Promise.allSettled(senders.map((sender) => sender.close()));
    await this.client.close();
  }

  private sender(entity: string): ServiceBusSender {
    let sender = this.senders.get(entity);
    if (!sender) {
      sender = this.client.createSender(entity);
      this.senders.set(entity, sender);
    }
    return sender;
  }

  /**
   * Sends through the entity's group commit (shared/batching/MicroBatcher.ts): messages that
   * concurrent invocations send to the same entity in one turn of the event loop share batches.
   * Rejects with the first failure among `messages`; the others may have been sent (at-least-once:
   * a retried publish or route is deduplicated by messageId).
   */
  private async sendInBatches(entity: string, messages: ServiceBusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let batcher = this.batchers.get(entity);
    if (!batcher) {
      const sender = this.sender(entity);
      batcher = new MicroBatcher((group) => this.sendGroup(entity, sender, group), MAX_MESSAGES_PER_FLUSH);
      this.batchers.set(entity, batcher);
    }
    const failures = await Promise.all(messages.map((message) => batcher.add(message)));
    const failure = failures.find((error) => error !== undefined);
    if (failure) throw failure;
  }

  /**
   * Fills a batch until the next message does not fit, sends it, and goes on with a new one. Never
   * throws: each message gets its own outcome, so one oversized message fails only its sender.
   */
  private async sendGroup(
    entity: string,
    sender: ServiceBusSender,
    messages: ServiceBusMessage[],
  ): Promise<Array<Error | undefined>> {
    // One message goes as it is: building a batch for it costs twice the client CPU of a plain
    // send (0.21 vs 0.11 ms per message measured).
    if (messages.length === 1) {
      try {
        await this.sendOne(entity, sender, messages[0]!);
        return [undefined];
      } catch (error) {
        return [asError(error)];
      }
    }
    const outcomes: Array<Error | undefined> = messages.map(() => undefined);
    const sendBatch = async (batch: ServiceBusMessageBatch, indexes: number[]): Promise<void> => {
      try {
        await sender.sendMessages(batch);
      } catch (error) {
        for (const index of indexes) outcomes[index] = asError(error);
      }
    };
    try {
      let batch = await sender.createMessageBatch();
      let indexes: number[] = [];
      for (const [index, message] of messages.entries()) {
        if (batch.tryAddMessage(message)) {
          indexes.push(index);
          continue;
        }
        if (batch.count > 0) {
          await sendBatch(batch, indexes);
          batch = await sender.createMessageBatch();
          indexes = [];
          if (batch.tryAddMessage(message)) {
            indexes.push(index);
            continue;
          }
        }
        outcomes[index] = new MessageTooLargeError(entity);
      }
      if (batch.count > 0) await sendBatch(batch, indexes);
    } catch (error) {
      // createMessageBatch failed (no link): whatever was not sent fails with that error.
      for (const index of outcomes.keys()) outcomes[index] ??= asError(error);
    }
    return outcomes;
  }

  /** A plain send; the broker's size refusal becomes the same error a full batch gives. */
  private async sendOne(entity: string, sender: ServiceBusSender, message: ServiceBusMessage): Promise<void> {
    try {
      await sender.sendMessages(message);
    } catch (error) {
      if (isServiceBusError(error) && error.code === 'MessageSizeExceeded') {
        throw new MessageTooLargeError(entity);
      }
      throw error;
    }
  }
}
