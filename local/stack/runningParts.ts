import { performance } from 'node:perf_hooks';
import type { LogLine } from './progress';
import { errorMessage } from '../../shared/errors/errorMessage';

/** One started part of the stack, as far as stopping it goes. */
export interface PartHandle {
  name: string;
  stop(): Promise<void>;
  /** Child processes only: SIGKILL now. */
  kill?(): void;
}

/**
 * What has been started, in start order. Stops in reverse order with one line per part (the dev
 * host first, so nothing new arrives while the services it uses go away); safe to call twice.
 */
export class RunningParts {
  private readonly parts: PartHandle[] = [];
  private readonly watchers: Array<() => void> = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: LogLine) {}

  add(part: PartHandle): void {
    this.parts.push(part);
  }

  /** Registers the function that ends a liveness watch; called first on stop. */
  addWatcher(unwatch: () => void): void {
    this.watchers.push(unwatch);
  }

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const unwatch of this.watchers) unwatch();
      for (const part of [...this.parts].reverse()) {
        const begun = performance.now();
        try {
          await part.stop();
          this.log(`[stack] stopped ${part.name} (${Math.round(performance.now() - begun)} ms)`);
        } catch (error) {
          this.log(`[stack] stopping ${part.name} failed: ${errorMessage(error)}`);
        }
      }
    })();
    return this.stopping;
  }

  kill(): void {
    for (const part of this.parts) part.kill?.();
  }

  /** A part died on its own: say which, stop the rest, then tell `after`. Ignored while stopping. */
  partDied(name: string, detail: string, after?: (name: string) => void): void {
    if (this.isStopping) return;
    this.log(`[stack] ${name} stopped unexpectedly: ${detail}`);
    this.log('[stack] stopping the rest');
    this.stop().then(
      () => after?.(name),
      (error: unknown) => {
        this.log(`[stack] stopping the rest failed: ${errorMessage(error)}`);
        after?.(name);
      },
    );
  }
}
