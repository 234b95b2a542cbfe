/** Remembers message ids for a time window (RequiresDuplicateDetection). */
export class DuplicateDetector {
  // Map keeps insertion order, which is time order, so expiry trims from the front.
  private readonly seen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** True when `messageId` was seen within the window; otherwise records it. */
  isDuplicate(messageId: string, now: number): boolean {
    for (const [id, at] of this.seen) {
      if (at + this.windowMs > now) break;
      this.seen.delete(id);
    }
    if (this.seen.has(messageId)) return true;
    this.seen.set(messageId, now);
    return false;
  }
}
