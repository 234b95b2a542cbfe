/**
 * The sample webhook receiver on its own (npm start runs it for you):
 *   npx tsx local/sample-receiver/cli.ts [--port 7072] [--host 127.0.0.1]
 * The signing secret, when known, comes from SWITCHYARD_SAMPLE_WEBHOOK_SECRET.
 */
import { parseArgs } from 'node:util';
import { startSampleReceiver } from './index';
import { errorMessage } from '../../shared/errors/errorMessage';
import { exitAfterClose } from '../exitAfterClose';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '7072' }, host: { type: 'string', default: '127.0.0.1' } },
  });
  const secret = process.env.SWITCHYARD_SAMPLE_WEBHOOK_SECRET || undefined;
  const receiver = await startSampleReceiver({ port: Number(values.port), host: values.host, secret });
  console.log(
    `Sample webhook receiver on ${receiver.url} (${secret ? 'verifying signatures' : 'no signing secret: signatures not checked'})`,
  );
  const stop = (): void => {
    exitAfterClose(() => receiver.close());
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exit(1);
});
