import { parseArgs } from 'node:util';
import { ConfigError, DEFAULT_KEY, start } from './index';
import { errorMessage } from '../../shared/errors/errorMessage';
import { exitAfterClose } from '../exitAfterClose';

/** `npm run servicebus-emulator -- --config FILE [--port N] [--http-port M] [--host H] [--log-level L]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  if (!values.config)
    throw new ConfigError('--config FILE is required (the official emulator Config.json shape)');
  const level = values['log-level'] ?? 'info';
  if (level !== 'quiet' && level !== 'info' && level !== 'debug')
    throw new ConfigError('--log-level must be quiet, info or debug');
  const handle = await start({
    config: values.config,
    port: values.port === undefined ? undefined : Number(values.port),
    httpPort: values['http-port'] === undefined ? undefined : Number(values['http-port']),
    host: values.host,
    logLevel: level,
  });
  // The default key is the official emulator's published one; a key set in the config is a secret.
  const printable = handle.connectionString.replace(/SharedAccessKey=([^;]*)/, (whole, key: string) =>
    key === DEFAULT_KEY ? whole : 'SharedAccessKey=<Auth.SharedAccessKey from the config>',
  );
  console.log(
    `Service Bus emulator ready on port ${handle.port} (health http://127.0.0.1:${handle.httpPort}/health): ${printable}`,
  );
  const stop = (): void => {
    exitAfterClose(() => handle.close());
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exit(1);
});
