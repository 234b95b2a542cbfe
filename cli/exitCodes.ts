/**
 * The exit codes scripts can rely on (README, "The switchyard CLI"):
 *   0  done
 *   1  the API refused the call (a 4xx: not found, invalid, unauthorized, conflict...)
 *   2  the command line, a file or the configuration is wrong (nothing was sent)
 *   3  the API could not be reached, timed out, or failed (5xx)
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one line on stderr and exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** The problem+json body, for `--json` output. */
    readonly problem?: unknown,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The exit code for an HTTP status that is not a success. Pure. */
export function exitCodeForStatus(status: number): ExitCode {
  return status >= 500 ? EXIT.unavailable : EXIT.refused;
}
