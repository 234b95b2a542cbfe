import { WakeTimer } from './wakeTimer';

/**
 * Remembers message ids for DuplicateDetectionHistoryTimeWindow (RequiresDuplicateDetection),
 * and only that long, as Service Bus does: an id is forgotten once its window has passed, on
 * the next send and, without sends, by an unref'd timer, so an idle entity sheds its history.
 */
export class DuplicateDetector {
  // Map keeps insertion order, which is time order, so expiry trims from the front.
  private readonly seen = new Map<string, number>();
  private readonly timer: WakeTimer;

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = new WakeTimer(() => this.onTimer(), now);
  }

  /** Ids remembered now. */
  get size(): number {
    return this.seen.size;
  }

  /** True when `messageId` was seen within the window; otherwise records it. */
  isDuplicate(messageId: string): boolean {
    const now = this.now();
    this.forgetExpired(now);
    if (this.seen.has(messageId)) return true;
    this.seen.set(messageId, now);
    this.timer.wakeAt(this.nextExpiry());
    return false;
  }

  close(): void {
    this.timer.cancel();
    this.seen.clear();
  }

  private forgetExpired(now: number): void {
    for (const [id, at] of this.seen) {
      if (at + this.windowMs > now) break;
      this.seen.delete(id);
    }
  }

  private nextExpiry(): number {
    const oldest = this.seen.values().next();
    return oldest.done ? Infinity : oldest.value + this.windowMs;
  }

  private onTimer(): void {
    this.forgetExpired(this.now());
    this.timer.wakeAt(this.nextExpiry());
  }
}
