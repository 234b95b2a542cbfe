import type { RpcLogLevel } from '../core/coreTypes';

/** Where a log line came from: the host itself, or one invocation of one function. */
export interface LogOrigin {
  functionName?: string;
  invocationId?: string;
}

const LEVEL_LABELS: Record<RpcLogLevel, string> = {
  trace: 'Trace',
  debug: 'Debug',
  information: 'Information',
  warning: 'Warning',
  error: 'Error',
  critical: 'Critical',
  none: 'None',
};

/**
 * One log line: time, level, then the function name and invocation id when there are some, so
 * the lines of concurrent invocations can be told apart (as in Application Insights).
 */
export function formatLogLine(
  level: RpcLogLevel,
  message: string,
  origin: LogOrigin = {},
  now = new Date(),
): string {
  const tags = [origin.functionName, origin.invocationId]
    .filter((tag) => tag !== undefined)
    .map((tag) => `[${tag}]`);
  return [now.toISOString(), `[${LEVEL_LABELS[level]}]`, ...tags, message].join(' ');
}

const SEVERITY: Record<RpcLogLevel, number> = {
  trace: 0,
  debug: 1,
  information: 2,
  warning: 3,
  error: 4,
  critical: 5,
  none: 6,
};
let minimumLevel: RpcLogLevel = 'information';

/** host.json logging.logLevel.default ("Information" unless set), as a log level name. */
export function setMinimumLogLevel(level: string): void {
  const wanted = level.toLowerCase();
  const known = Object.keys(SEVERITY).find((name) => name === wanted) as RpcLogLevel | undefined;
  if (!known) {
    throw new Error(
      `unknown log level "${level}" (use Trace, Debug, Information, Warning, Error, Critical or None)`,
    );
  }
  minimumLevel = known;
}

// Writes to files and pipes are synchronous on Linux: one write per line cost more than the
// invocation itself under load, so lines are gathered and written once per event-loop turn.
const pending = { stdout: '', stderr: '' };
let flushScheduled = false;

/** Writes what is gathered now; also runs on process exit so no line is lost. */
export function flushLogs(): void {
  flushScheduled = false;
  const { stdout, stderr } = pending;
  pending.stdout = '';
  pending.stderr = '';
  if (stdout) process.stdout.write(stdout);
  if (stderr) process.stderr.write(stderr);
}
process.on('exit', flushLogs);

/** Writes host and function logs to stdout (errors to stderr), as `func start` does. */
export function writeLog(level: RpcLogLevel, message: string, origin: LogOrigin = {}): void {
  if (level === 'none' || SEVERITY[level] < SEVERITY[minimumLevel]) return;
  const line = formatLogLine(level, message, origin) + '\n';
  if (level === 'error' || level === 'critical') pending.stderr += line;
  else pending.stdout += line;
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLogs);
  }
}
