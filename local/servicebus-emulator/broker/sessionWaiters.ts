import type { Session } from './session';

export interface GrantedSession {
  sessionId: string;
  lockedUntil: number;
}

interface Waiter {
  owner: string;
  done(granted: GrantedSession | undefined): void;
  timer: NodeJS.Timeout;
}

/**
 * Receivers waiting in acceptNextSession, first come first served. Each waits until a session
 * is granted to it or its timeout passes (then `done(undefined)`: the SDK's ServiceTimeout).
 */
export class SessionWaiters {
  private readonly waiting: Waiter[] = [];

  get size(): number {
    return this.waiting.length;
  }

  /** Queues a waiter; returns a function that withdraws it. */
  add(owner: string, timeoutMs: number, done: (granted: GrantedSession | undefined) => void): () => void {
    const waiter: Waiter = {
      owner,
      done,
      timer: setTimeout(() => {
        this.remove(waiter);
        done(undefined);
      }, timeoutMs),
    };
    waiter.timer.unref();
    this.waiting.push(waiter);
    return () => this.remove(waiter);
  }

  /** Grants sessions to waiters in arrival order while `next` finds an available one. */
  serve(next: () => Session | undefined, lock: (session: Session, owner: string) => number): void {
    while (this.waiting.length > 0) {
      const session = next();
      if (!session) return;
      const waiter = this.waiting.shift()!;
      clearTimeout(waiter.timer);
      waiter.done({ sessionId: session.id, lockedUntil: lock(session, waiter.owner) });
    }
  }

  /** Forgets every waiter without answering (the emulator is closing). */
  clear(): void {
    for (const waiter of this.waiting.splice(0)) clearTimeout(waiter.timer);
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const index = this.waiting.indexOf(waiter);
    if (index >= 0) this.waiting.splice(index, 1);
  }
}
