import type { EventContext, Sender } from 'rhea';
import { amqpMessage } from './rheaMessage';
import { BrokerError } from '../broker/brokerError';
import type { MessageStore } from '../broker/messageStore';
import type { OperationCounts } from '../broker/operationCounts';
import type { Consumer, ReceiveMode, StoredMessage } from '../broker/storedMessage';
import type { Logger } from '../log';
import { DEAD_LETTER_CONDITION, CONDITION } from './conditions';
import { deliveryTagToLockToken, lockTokenToDeliveryTag } from './lockToken';
import { toWire } from './messageCodec';
import { errorMessage } from '../../../shared/errors/errorMessage';
import { wireText } from './wireText';

/** rhea keeps deliveries queued until the session sends them; the ids tell which are still queued. */
interface SessionInternals {
  outgoing: { next_pending_delivery: number; available(): boolean };
}

type DeliveryWithId = {
  id: number;
  tag: Buffer;
  remote_state?: Record<string, unknown>;
  remote_settled?: boolean;
  update(settled: boolean, state?: unknown): void;
};

/**
 * A client's receiving link: takes messages from the store while the client has granted
 * credit, and turns the client's dispositions into complete / abandon / defer / dead-letter.
 * With a sessionId it is a session receiver: the store feeds it that session only.
 */
export class DeliveryLink implements Consumer {
  readonly mode: ReceiveMode;
  /** Deliveries handed to rhea, oldest first, until the session has put them on the wire. */
  private readonly queued: Array<{ id: number; message: StoredMessage }> = [];
  private closed = false;

  constructor(
    private readonly sender: Sender,
    private readonly store: MessageStore,
    private readonly log: Logger,
    private readonly counts: OperationCounts,
    readonly sessionId?: string,
  ) {
    this.mode = sender.snd_settle_mode === 1 ? 'receiveAndDelete' : 'peekLock';
    sender.on('sendable', () => store.dispatch());
    sender.on('sender_draining', () => this.onDraining());
    sender.on('accepted', (context: EventContext) =>
      this.settle(context, 'complete', (token) => store.complete(token)),
    );
    sender.on('released', (context: EventContext) =>
      this.settle(context, 'abandon', (token) => store.abandon(token)),
    );
    sender.on('modified', (context: EventContext) => this.onModified(context));
    sender.on('rejected', (context: EventContext) => this.onRejected(context));
    store.addConsumer(this);
  }

  /** Credit left after the deliveries rhea has queued but not yet transferred. */
  wantsMessage(): boolean {
    const session = this.sender.session as unknown as SessionInternals;
    this.forgetTransferred();
    return (
      !this.closed &&
      this.sender.is_open() &&
      session.outgoing.available() &&
      ((this.sender as unknown as { credit?: number }).credit ?? 0) - this.queued.length > 0
    );
  }

  deliver(message: StoredMessage): void {
    const tag = message.lock
      ? lockTokenToDeliveryTag(message.lock.token)
      : Buffer.from(String(message.sequenceNumber));
    const delivery = this.sender.send(
      amqpMessage.encode(toWire(message)),
      tag,
      0,
    ) as unknown as DeliveryWithId;
    this.queued.push({ id: delivery.id, message });
    this.counts.add(this.store.settings.path, 'receive');
  }

  /**
   * Stops taking messages and gives back those that never left the AMQP session (before
   * leaving: a session store counts a failed delivery for whatever is still locked then).
   */
  close(): void {
    this.closed = true;
    this.forgetTransferred();
    for (const { message } of this.queued.splice(0)) this.store.restore(message);
    this.store.removeConsumer(this);
  }

  /** The session lock expired: end the link the way Service Bus does, so the SDK reports SessionLockLost. */
  sessionLockLost(): void {
    this.log.info(
      `session '${this.sessionId ?? ''}' lock expired on ${this.store.settings.path}: detaching ${this.sender.name}`,
    );
    this.sender.close({
      condition: 'com.microsoft:session-lock-lost',
      description: `The session lock has expired on the MessageSession. Accept a new MessageSession. Session: '${this.sessionId ?? ''}', Entity: ${this.store.settings.path}.`,
    });
  }

  private forgetTransferred(): void {
    const session = this.sender.session as unknown as SessionInternals;
    while (this.queued.length > 0 && this.queued[0]!.id < session.outgoing.next_pending_delivery) {
      this.queued.shift();
    }
  }

  private onDraining(): void {
    // A drain is the SDK's "receive what is there, then tell me": billed like a receive call.
    this.counts.add(this.store.settings.path, 'drain');
    this.store.dispatch();
    if (this.wantsMessage()) this.sender.set_drained(true);
  }

  private onModified(context: EventContext): void {
    const state = (context.delivery as unknown as DeliveryWithId).remote_state ?? {};
    const props = state.message_annotations as Record<string, unknown> | undefined;
    if (state.undeliverable_here) this.settle(context, 'defer', (token) => this.store.defer(token, props));
    else this.settle(context, 'abandon', (token) => this.store.abandon(token, props));
  }

  private onRejected(context: EventContext): void {
    const state = (context.delivery as unknown as DeliveryWithId).remote_state ?? {};
    const error = (state.error ?? {}) as { condition?: string; info?: Record<string, unknown> };
    const { DeadLetterReason, DeadLetterErrorDescription, ...rest } = error.info ?? {};
    if (error.condition !== DEAD_LETTER_CONDITION) {
      this.log.debug(`rejected with ${error.condition}: dead-lettering`);
    }
    this.settle(context, 'deadLetter', (token) =>
      this.store.deadLetter(token, {
        reason: wireText(DeadLetterReason),
        description: wireText(DeadLetterErrorDescription),
        properties: rest,
      }),
    );
  }

  /** Applies a disposition by lock token and answers with a settled accepted or lock-lost. */
  private settle(context: EventContext, operation: string, apply: (token: string) => void): void {
    const delivery = context.delivery as unknown as DeliveryWithId;
    if (this.mode === 'receiveAndDelete') return;
    this.counts.add(this.store.settings.path, operation);
    const token = deliveryTagToLockToken(Buffer.from(delivery.tag));
    try {
      apply(token);
      delivery.update(true, amqpMessage.accepted().described());
    } catch (error) {
      const known = error instanceof BrokerError;
      const message = errorMessage(error);
      if (known) this.log.debug(`settlement refused on ${this.store.settings.path}: ${message}`);
      else this.log.error(`settlement failed on ${this.store.settings.path}: ${message}`);
      const condition = known ? CONDITION[error.code].condition : 'amqp:internal-error';
      const rejected = amqpMessage.rejected({ error: { condition, description: message } });
      delivery.update(true, rejected.described());
    }
    // The client has given its outcome and, in receive-settle-mode "second", sends no final
    // settle after ours. rhea keeps a delivery in the session's window (2048) until both sides
    // settled it, so without this a long-running receiver stalls after 2048 messages. Set after
    // update(), which only queues our disposition for deliveries the peer has not settled.
    delivery.remote_settled = true;
  }
}
