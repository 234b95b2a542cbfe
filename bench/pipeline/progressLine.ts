import type { PhaseDeliveries } from './deliveryTracker';

/** What the progress line shows about the phase running now. */
export interface PhaseProgress {
  phase: string;
  published: number;
  toPublish: number;
  deliveries?: PhaseDeliveries;
  expectedDeliveries: number;
}

/**
 * One line on stderr, rewritten every second while a phase runs (a new line each second when
 * stderr is not a terminal): phase, events published, deliveries arrived, deliveries/s.
 */
export class ProgressLine {
  #current: PhaseProgress | undefined;
  #lastDelivered = 0;
  #lastAt = performance.now();
  readonly #timer: NodeJS.Timeout;
  readonly #tty = process.stderr.isTTY === true;

  constructor() {
    this.#timer = setInterval(() => this.#print(), 1000);
    this.#timer.unref();
  }

  show(progress: PhaseProgress): void {
    this.#current = progress;
    this.#lastDelivered = 0;
    this.#lastAt = performance.now();
  }

  /** A line of its own (a phase result), without garbling the progress line. */
  note(line: string): void {
    process.stderr.write(this.#tty ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  stop(): void {
    clearInterval(this.#timer);
    if (this.#tty) process.stderr.write('\r\x1b[K');
  }

  #print(): void {
    const p = this.#current;
    if (!p) return;
    const delivered = p.deliveries?.unique ?? 0;
    const now = performance.now();
    const rate = ((delivered - this.#lastDelivered) * 1000) / (now - this.#lastAt);
    this.#lastDelivered = delivered;
    this.#lastAt = now;
    const line =
      `[bench] ${p.phase}: published ${p.published}/${p.toPublish}, ` +
      `delivered ${delivered}/${p.expectedDeliveries}, ${Math.round(rate)} deliveries/s`;
    process.stderr.write(this.#tty ? `\r\x1b[K${line}` : `${line}\n`);
  }
}
