/**
 * Waits for `work` to settle, but no longer than `timeoutMs`; true if it settled in time.
 * Shutdown steps use it so one stuck connection cannot hold the process forever.
 */
export async function settleWithin(
  work: Promise<unknown> | Promise<unknown>[],
  timeoutMs: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(Array.isArray(work) ? work : [work]).then(() => true);
  const timeout = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), timeoutMs);
  });
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
