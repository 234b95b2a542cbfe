import { randomUUID } from 'node:crypto';
import type { FunctionApp, RegisteredFunction } from './FunctionApp';
import type { RpcInvocationResponse } from './coreTypes';
import { runInvocation, type InvocationInput } from './runInvocation';
import { writeLog } from '../log/hostLogger';

export type InvocationOutcome =
  | { succeeded: true; invocationId: string; response: RpcInvocationResponse }
  | { succeeded: false; invocationId: string; error: unknown };

/**
 * Runs invocations for every trigger: logs their start and end the way the host does, turns
 * failures into outcomes, and keeps count of running invocations so shutdown can wait for them.
 */
export class InvocationRunner {
  readonly #app: FunctionApp;
  readonly #timeoutMs: number | undefined;
  readonly #running = new Set<Promise<unknown>>();

  constructor(app: FunctionApp, timeoutMs: number | undefined) {
    this.#app = app;
    this.#timeoutMs = timeoutMs;
  }

  get runningCount(): number {
    return this.#running.size;
  }

  async run(fn: RegisteredFunction, reason: string, input: InvocationInput): Promise<InvocationOutcome> {
    const invocationId = randomUUID();
    const origin = { functionName: fn.metadata.name, invocationId };
    const started = performance.now();
    writeLog(
      'information',
      `Executing 'Functions.${fn.metadata.name}' (Reason='${reason}', Id=${invocationId})`,
      origin,
    );
    const work = runInvocation(this.#app, fn, input, { timeoutMs: this.#timeoutMs }, invocationId);
    this.#running.add(work);
    try {
      const response = await work;
      writeLog(
        'information',
        `Executed 'Functions.${fn.metadata.name}' (Succeeded, Id=${invocationId}, Duration=${elapsed(started)}ms)`,
        origin,
      );
      return { succeeded: true, invocationId, response };
    } catch (error) {
      writeLog(
        'error',
        `Executed 'Functions.${fn.metadata.name}' (Failed, Id=${invocationId}, Duration=${elapsed(started)}ms): ${describeError(error)}`,
        origin,
      );
      return { succeeded: false, invocationId, error };
    } finally {
      this.#running.delete(work);
    }
  }

  /** Resolves once no invocation is running, or after `timeoutMs`; true if all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.#running.size > 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.#running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, remaining);
        }),
      ]);
      clearTimeout(timer);
    }
    return true;
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
