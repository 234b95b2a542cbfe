import type { Message } from 'rhea';
import { BrokerError } from './brokerError';
import type { StoreSettings } from './messageStore';
import { MinHeap } from './minHeap';
import type { Consumer, StoredMessage } from './storedMessage';

/** A receiving link bound to one session: it gets that session's messages only. */
export interface SessionConsumer extends Consumer {
  readonly sessionId: string;
  /** The session lock expired under it: the link must end with SessionLockLost. */
  sessionLockLost(): void;
}

export function isSessionConsumer(consumer: Consumer): consumer is SessionConsumer {
  return typeof (consumer as Partial<SessionConsumer>).sessionId === 'string';
}

/** A message's session id (AMQP group-id), or undefined when the sender set none. */
export function sessionIdOf(message: StoredMessage): string | undefined {
  const id = message.amqp.group_id;
  return id === undefined || id === null || id === '' ? undefined : String(id);
}

/** Who holds a session lock: the name of the receiving link that accepted the session. */
export interface SessionLock {
  owner: string;
  lockedUntil: number;
  /** The link feeding the owner, once it is attached. */
  consumer?: SessionConsumer;
}

/**
 * One session of an entity: its available messages in sequence order (FIFO), the sequence
 * numbers handed out under the current lock, the lock itself and the session state.
 */
export class Session {
  readonly available = new MinHeap<number>((seq) => seq);
  readonly lockedMessages = new Set<number>();
  lock: SessionLock | undefined;
  state: Buffer | undefined;

  constructor(readonly id: string) {}

  /** Unused sessions are forgotten: nothing waiting, no lock, no state. */
  get forgettable(): boolean {
    return (
      this.available.size === 0 && this.lockedMessages.size === 0 && !this.lock && this.state === undefined
    );
  }
}

/** The text Service Bus answers a message without SessionId sent to a session queue with. */
export const SESSION_ID_REQUIRED =
  'The SessionId was not set on a message, and it cannot be sent to the entity. Entities that have session support enabled can only receive messages that have the SessionId set to a valid value.';

/** A session queue refuses a message without SessionId (InvalidOperation, as Service Bus does). */
export function assertSessionIdGiven(settings: StoreSettings, message: Message): void {
  const id = message.group_id;
  if (settings.requiresSession && (id === undefined || id === null || id === '')) {
    throw new BrokerError('InvalidOperation', `${SESSION_ID_REQUIRED} Entity: ${settings.path}.`);
  }
}
