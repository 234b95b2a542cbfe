import { parseArgs } from 'node:util';
import { startDevHost } from './index';
import { flushLogs, writeLog } from './log/hostLogger';
import { errorMessage } from '../../shared/errors/errorMessage';

/**
 * `npm run devhost -- --app-root . --port 7071 [--main 'functions/*.ts']`
 * Prints one ready line once every trigger is listening; SIGINT/SIGTERM shut down gracefully.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'app-root': { type: 'string', default: '.' },
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      main: { type: 'string' },
    },
  });
  // Without --port: local.settings.json Host.LocalHttpPort, else 7071 (as func start).
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new Error(`--port must be a port number, not "${values.port}"`);
  }
  const host = await startDevHost({
    appRoot: values['app-root'],
    port,
    host: values.host,
    main: values.main,
  });
  flushLogs();
  console.log(
    `Dev host listening on ${host.url} (${host.functions.length} functions: ${host.functions.join(', ')})`,
  );

  let signals = 0;
  const stop = (signal: string) => {
    signals++;
    if (signals > 1) {
      writeLog('warning', `${signal} again: exiting now.`);
      process.exit(130);
    }
    writeLog('information', `${signal} received.`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        writeLog('error', `Shutdown failed: ${errorMessage(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  writeLog('critical', `Dev host failed to start: ${errorMessage(error)}`);
  process.exit(1);
});
