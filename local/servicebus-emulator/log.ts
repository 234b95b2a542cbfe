export type LogLevel = 'quiet' | 'info' | 'debug';

export interface Logger {
  info(line: string): void;
  debug(line: string): void;
  error(line: string): void;
}

/** One line per event on stderr; quiet prints errors only. Never pass secrets in. */
export function createLogger(level: LogLevel): Logger {
  const write = (kind: string, line: string): void => {
    process.stderr.write(`${new Date().toISOString()} [servicebus-emulator] ${kind} ${line}\n`);
  };
  return {
    info: (line) => level !== 'quiet' && write('info', line),
    debug: (line) => level === 'debug' && write('debug', line),
    error: (line) => write('error', line),
  };
}
