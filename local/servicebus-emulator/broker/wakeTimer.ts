// setTimeout's limit is about 24.8 days; later wake-ups are re-armed when this one fires.
const MAX_TIMER_MS = 2_147_000_000;

/**
 * One unref'd timer that wakes its owner at the earliest time asked for; asking for a later
 * time while an earlier wake-up is pending changes nothing.
 */
export class WakeTimer {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;

  constructor(
    private readonly onWake: () => void,
    private readonly now: () => number,
  ) {}

  wakeAt(at: number): void {
    if (at === Infinity || at >= this.at) return;
    this.cancel();
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Infinity;
        this.onWake();
      },
      Math.min(Math.max(0, at - this.now()), MAX_TIMER_MS),
    );
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}
