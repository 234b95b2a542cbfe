import { errorMessage } from '../shared/errors/errorMessage';

/** Ends a local tool's process once `close` settles: exit code 0, or 1 after saying why it failed. */
export function exitAfterClose(close: () => Promise<unknown>): void {
  close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`could not stop: ${errorMessage(error)}`);
      process.exit(1);
    },
  );
}
