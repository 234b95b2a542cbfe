/**
 * Polls `url` and calls `onDown` once when it stopped answering `failuresBeforeDown` times in a
 * row (any HTTP status counts as answering). For child processes whose handle we don't hold.
 * Returns the function that stops watching.
 */
export function watchHttp(
  url: string,
  onDown: (detail: string) => void,
  { intervalMs = 2_000, failuresBeforeDown = 3 }: { intervalMs?: number; failuresBeforeDown?: number } = {},
): () => void {
  let failures = 0;
  let stopped = false;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || stopped) return;
    busy = true;
    fetch(url, { signal: AbortSignal.timeout(intervalMs) })
      .then(
        async (response) => {
          await response.arrayBuffer();
          failures = 0;
        },
        (error: unknown) => {
          failures++;
          if (failures >= failuresBeforeDown && !stopped) {
            stopped = true;
            clearInterval(timer);
            const cause =
              error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
            onDown(`${url} stopped answering (${cause})`);
          }
        },
      )
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
