/**
 * Live view of the telemetry an app sends to Application Insights, without Azure:
 *   npx tsx local/fake-appinsights/cli.ts [--port 0] [--host 127.0.0.1] [--cert-dir .local/fake-appinsights]
 * then start the app with the two printed variables (NODE_EXTRA_CA_CERTS is read at process
 * start only, so it must be in the app's environment from the beginning).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { startFakeIngestion } from './fakeIngestion';
import { formatEnvelope } from './formatEnvelope';
import { exitAfterClose } from '../exitAfterClose';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      'cert-dir': { type: 'string', default: '.local/fake-appinsights' },
    },
  });
  const ingestion = await startFakeIngestion({
    port: Number(values.port),
    host: values.host,
    certDir: resolve(values['cert-dir']),
  });
  console.log(`fake Application Insights ingestion on ${ingestion.url}`);
  console.log('start the app with:');
  console.log(`  APPLICATIONINSIGHTS_CONNECTION_STRING='${ingestion.connectionString}'`);
  console.log(`  NODE_EXTRA_CA_CERTS='${ingestion.certPath}'`);
  console.log('  APPLICATIONINSIGHTS_STATSBEAT_DISABLED=true');
  ingestion.onEnvelope((envelope) => console.log(formatEnvelope(envelope)));

  const stop = (): void => {
    exitAfterClose(() => ingestion.close());
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
