import { BrokerError } from './brokerError';
import { MessageStore, type StoreSettings } from './messageStore';
import { MinHeap } from './minHeap';
import { isSessionConsumer, Session, sessionIdOf, type SessionLock } from './session';
import { SessionWaiters, type GrantedSession } from './sessionWaiters';
import type { Consumer, ReceiveMode, StoredMessage } from './storedMessage';
import { WakeTimer } from './wakeTimer';

export type { GrantedSession } from './sessionWaiters';

type HeldSession = Session & { lock: SessionLock };

/**
 * The message store of a RequiresSession queue or subscription. Messages are grouped by
 * sessionId and handed out in sequence order within their session; a receiver first locks a
 * session (acceptSession / acceptNextSession) and then gets that session's messages only.
 * A message lock is the session lock: renewing the session renews them, losing it loses them.
 */
export class SessionStore extends MessageStore {
  private readonly sessions = new Map<string, Session>();
  private readonly lockedSessions = new Set<Session>();
  private readonly waiters = new SessionWaiters();
  private readonly sessionLockExpiries = new MinHeap<{ at: number; sessionId: string }>((entry) => entry.at);
  private readonly sessionTimer: WakeTimer;
  /** Dispatch is held while a loop is already dealing messages or releasing a session. */
  private dispatchHeld = 0;

  constructor(settings: StoreSettings, now: () => number = Date.now) {
    super(settings, now);
    this.sessionTimer = new WakeTimer(() => this.dispatch(), now);
  }

  /** Locks the session for `owner` (a link name); SessionCannotBeLocked if another holds it. */
  acceptSession(sessionId: string, owner: string): number {
    this.expireSessionLocks();
    const session = this.session(sessionId);
    if (session.lock) {
      throw new BrokerError(
        'SessionCannotBeLocked',
        `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver. Entity: ${this.settings.path}.`,
      );
    }
    return this.lockSession(session, owner);
  }

  /**
   * Locks the unlocked session whose oldest available message is oldest, now or as soon as one
   * exists within `timeoutMs`; `done(undefined)` on timeout. Returns a cancel function.
   */
  acceptNextSession(
    owner: string,
    timeoutMs: number,
    done: (granted: GrantedSession | undefined) => void,
  ): () => void {
    this.expireSessionLocks();
    const ready = this.nextAvailableSession();
    if (ready) {
      done({ sessionId: ready.id, lockedUntil: this.lockSession(ready, owner) });
      return () => undefined;
    }
    return this.waiters.add(owner, timeoutMs, done);
  }

  /** acceptNextSession calls waiting for a session (a probe: tests wait for it instead of sleeping). */
  get waitingAccepts(): number {
    return this.waiters.size;
  }

  /** Ends `owner`'s lock (its link closed): messages it still held count a failed delivery. */
  releaseSession(sessionId: string, owner: string): void {
    const session = this.sessions.get(sessionId);
    if (session?.lock?.owner !== owner) return;
    this.unlockSession(session);
    this.dispatch();
  }

  renewSessionLock(sessionId: string, owner?: string): number {
    const session = this.heldSession(sessionId, owner);
    const lockedUntil = this.now() + this.settings.lockDurationMs;
    session.lock.lockedUntil = lockedUntil;
    for (const seq of session.lockedMessages) {
      const message = this.messages.get(seq);
      if (message?.lock) message.lock.lockedUntil = lockedUntil;
    }
    this.scheduleLockExpiry(session);
    return lockedUntil;
  }

  getSessionState(sessionId: string, owner?: string): Buffer | undefined {
    return this.heldSession(sessionId, owner).state;
  }

  setSessionState(sessionId: string, state: Buffer | undefined, owner?: string): void {
    this.heldSession(sessionId, owner).state = state;
  }

  /** Deferred messages of a session the caller holds; MessageNotFound for another session's. */
  receiveDeferredInSession(
    sessionId: string,
    sequenceNumbers: number[],
    mode: ReceiveMode,
    owner?: string,
  ): StoredMessage[] {
    this.heldSession(sessionId, owner);
    for (const seq of sequenceNumbers) {
      const message = this.messages.get(seq);
      if (message && sessionIdOf(message) !== sessionId) {
        throw new BrokerError(
          'MessageNotFound',
          `The message with sequence number ${seq} was not found in session '${sessionId}'.`,
        );
      }
    }
    return this.receiveDeferred(sequenceNumbers, mode);
  }

  /** Management settlement (deferred messages) requires the session lock. */
  assertSessionHeld(sessionId: string, owner?: string): void {
    this.heldSession(sessionId, owner);
  }

  /** Like peek, within one session. */
  peekSession(sessionId: string, fromSequenceNumber: number, count: number): StoredMessage[] {
    const result: StoredMessage[] = [];
    const now = this.now();
    for (const message of this.messages.values()) {
      if (result.length >= count) break;
      if (
        message.sequenceNumber >= fromSequenceNumber &&
        message.expiresAt > now &&
        sessionIdOf(message) === sessionId
      )
        result.push(message);
    }
    return result;
  }

  /** Only session-bound links consume here; the AMQP layer refuses the others at attach. */
  override addConsumer(consumer: Consumer): void {
    if (!isSessionConsumer(consumer)) {
      throw new BrokerError(
        'InvalidOperation',
        `It is not possible for an entity that requires sessions to create a non-sessionful message receiver. Entity: ${this.settings.path}.`,
      );
    }
    const session = this.sessions.get(consumer.sessionId);
    if (!session?.lock) throw this.sessionLockLost(consumer.sessionId);
    session.lock.consumer = consumer;
    this.dispatch();
  }

  override removeConsumer(consumer: Consumer): void {
    if (!isSessionConsumer(consumer)) return;
    const session = this.sessions.get(consumer.sessionId);
    if (!session?.lock || session.lock.consumer !== consumer) return;
    this.unlockSession(session);
    this.dispatch();
  }

  /** Serves acceptNextSession waiters, then feeds each locked session's receiver from that session. */
  override dispatch(): void {
    if (this.closed || this.dispatchHeld > 0) return;
    this.dispatchHeld++;
    try {
      this.expireSessionLocks();
      if (this.waiters.size > 0)
        this.waiters.serve(
          () => this.nextAvailableSession(),
          (session, owner) => this.lockSession(session, owner),
        );
      for (const session of this.lockedSessions) {
        const consumer = session.lock?.consumer;
        while (consumer?.wantsMessage()) {
          const message = this.takeFrom(session, consumer.mode);
          if (!message) break;
          consumer.deliver(message);
        }
      }
    } finally {
      this.dispatchHeld--;
    }
  }

  override close(): void {
    super.close();
    this.sessionTimer.cancel();
    this.waiters.clear();
  }

  protected override makeAvailable(message: StoredMessage): void {
    const sessionId = sessionIdOf(message);
    if (sessionId === undefined) {
      // What Service Bus does with a topic message copied to a session subscription without one.
      this.moveToDeadLetters(
        message,
        'Session id is null.',
        "Session enabled entity doesn't allow a message whose session identifier is null.",
      );
      return;
    }
    this.session(sessionId).available.push(message.sequenceNumber);
  }

  protected override lockDeadline(message: StoredMessage, now: number): number {
    return (
      this.sessions.get(sessionIdOf(message) ?? '')?.lock?.lockedUntil ?? now + this.settings.lockDurationMs
    );
  }

  protected override handOut(message: StoredMessage, mode: ReceiveMode, now: number): void {
    super.handOut(message, mode, now);
    if (message.lock) this.session(sessionIdOf(message)!).lockedMessages.add(message.sequenceNumber);
  }

  protected override unlock(message: StoredMessage): void {
    if (message.lock)
      this.sessions.get(sessionIdOf(message) ?? '')?.lockedMessages.delete(message.sequenceNumber);
    super.unlock(message);
  }

  /** In a session entity a lost message lock is a lost session lock (the SDK's SessionLockLost). */
  protected override locked(token: string): StoredMessage {
    this.expireSessionLocks();
    try {
      return super.locked(token);
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'MessageLockLost') {
        throw new BrokerError(
          'SessionLockLost',
          `The session lock has expired on the MessageSession. Accept a new MessageSession. Reference:${token}, Entity:${this.settings.path}.`,
        );
      }
      throw error;
    }
  }

  private session(sessionId: string): Session {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = new Session(sessionId);
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  private heldSession(sessionId: string, owner: string | undefined): HeldSession {
    this.expireSessionLocks();
    const session = this.sessions.get(sessionId);
    if (!session?.lock || (owner !== undefined && session.lock.owner !== owner))
      throw this.sessionLockLost(sessionId);
    return session as HeldSession;
  }

  private sessionLockLost(sessionId: string): BrokerError {
    return new BrokerError(
      'SessionLockLost',
      `The session lock has expired on the MessageSession. Accept a new MessageSession. Session: '${sessionId}', Entity: ${this.settings.path}.`,
    );
  }

  private lockSession(session: Session, owner: string): number {
    const lockedUntil = this.now() + this.settings.lockDurationMs;
    session.lock = { owner, lockedUntil };
    this.lockedSessions.add(session);
    this.scheduleLockExpiry(session);
    return lockedUntil;
  }

  private scheduleLockExpiry(session: HeldSession | Session): void {
    if (!session.lock) return;
    this.sessionLockExpiries.push({ at: session.lock.lockedUntil, sessionId: session.id });
    this.sessionTimer.wakeAt(session.lock.lockedUntil);
  }

  /** Releases the lock and every message still locked under it (each counts a failed delivery). */
  private unlockSession(session: Session): void {
    this.dispatchHeld++;
    try {
      session.lock = undefined;
      this.lockedSessions.delete(session);
      for (const seq of [...session.lockedMessages]) {
        const message = this.messages.get(seq);
        session.lockedMessages.delete(seq);
        if (message?.lock) {
          this.unlock(message);
          this.countFailedDelivery(message);
        }
      }
      if (session.forgettable) this.sessions.delete(session.id);
    } finally {
      this.dispatchHeld--;
    }
  }

  /** Session locks past their time: released, and their receivers told (SessionLockLost). */
  private expireSessionLocks(): void {
    const now = this.now();
    for (
      let due = this.sessionLockExpiries.peek();
      due && due.at <= now;
      due = this.sessionLockExpiries.peek()
    ) {
      this.sessionLockExpiries.pop();
      const session = this.sessions.get(due.sessionId);
      const lock = session?.lock;
      if (!session || !lock || lock.lockedUntil > now) continue;
      this.unlockSession(session);
      lock.consumer?.sessionLockLost();
    }
    const next = this.sessionLockExpiries.peek();
    if (next) this.sessionTimer.wakeAt(next.at);
  }

  /** The unlocked session holding the oldest available message; forgets sessions left unused. */
  private nextAvailableSession(): Session | undefined {
    let best: Session | undefined;
    let bestSeq = Infinity;
    for (const session of this.sessions.values()) {
      if (session.lock) continue;
      const head = this.headOf(session);
      if (head === undefined) {
        if (session.forgettable) this.sessions.delete(session.id);
        continue;
      }
      if (head < bestSeq) {
        best = session;
        bestSeq = head;
      }
    }
    return best;
  }

  /** The session's next deliverable sequence number, dropping stale entries and expiring old messages. */
  private headOf(session: Session): number | undefined {
    const now = this.now();
    for (;;) {
      const seq = session.available.peek();
      if (seq === undefined) return undefined;
      const message = this.messages.get(seq);
      if (!message || message.state !== 'active' || message.lock) {
        session.available.pop();
        continue;
      }
      if (message.expiresAt <= now) {
        session.available.pop();
        this.expire(message);
        continue;
      }
      return seq;
    }
  }

  private takeFrom(session: Session, mode: ReceiveMode): StoredMessage | undefined {
    const seq = this.headOf(session);
    if (seq === undefined) return undefined;
    session.available.pop();
    const message = this.messages.get(seq)!;
    this.handOut(message, mode, this.now());
    return message;
  }
}
