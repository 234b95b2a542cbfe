import { type ApiResponse, json } from './apiResponse';
import type { HealthView } from './views';

export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export interface DependencyState {
  status: 'healthy' | 'unhealthy';
  durationMs: number;
  error?: string;
}

export const HEALTH_CHECK_TIMEOUT_MS = 5_000;
export const HEALTH_RETRY_AFTER_SECONDS = 5;

/**
 * Checks each dependency in parallel, each bounded by a timeout: 200 when all answer, 503
 * naming the one that did not. Errors are summarized (no connection strings or stacks).
 */
export async function checkHealth(
  checks: DependencyCheck[],
  timeoutMs: number = HEALTH_CHECK_TIMEOUT_MS,
): Promise<ApiResponse> {
  const results = await Promise.all(
    checks.map(async ({ name, check }): Promise<[string, DependencyState]> => {
      const started = performance.now();
      try {
        await withTimeout(check(), timeoutMs);
        return [name, { status: 'healthy', durationMs: Math.round(performance.now() - started) }];
      } catch (error) {
        return [
          name,
          {
            status: 'unhealthy',
            durationMs: Math.round(performance.now() - started),
            error: summarize(error),
          },
        ];
      }
    }),
  );
  const dependencies = Object.fromEntries(results);
  const healthy = results.every(([, state]) => state.status === 'healthy');
  return json(
    healthy ? 200 : 503,
    { status: healthy ? 'healthy' : 'unhealthy', dependencies } satisfies HealthView,
    // Probes and load balancers back off instead of hammering an instance whose dependency is down.
    healthy ? {} : { 'retry-after': String(HEALTH_RETRY_AFTER_SECONDS) },
  );
}

async function withTimeout(promise: Promise<void>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function summarize(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  // First line only, and never anything that looks like a key or signature.
  return (text.split('\n')[0] ?? '')
    .replace(/(SharedAccessKey|AccountKey|sig)=[^;&\s]+/gi, '$1=***')
    .slice(0, 300);
}
