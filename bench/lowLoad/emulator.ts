/**
 * The Service Bus emulator alone in its own process, with the stack's configuration, for
 * `npm run bench:low-load`. Prints `READY <json>`; exits on SIGTERM. Profiled on request
 * (profileOnRequest.ts); its socket traffic is counted on request (socketTraffic.ts).
 */
import { start } from '../../local/servicebus-emulator';
import { SERVICEBUS_CONFIG } from '../../local/stack/backingServices';
import { errorStack } from '../../shared/errors/errorMessage';
import { profileOnRequest } from './profileOnRequest';
import { countSocketTrafficOnRequest } from './socketTraffic';

async function main(): Promise<void> {
  const emulator = await start({ port: 0, httpPort: 0, config: SERVICEBUS_CONFIG });
  profileOnRequest();
  countSocketTrafficOnRequest();
  process.stdout.write(`READY ${JSON.stringify({ connectionString: emulator.connectionString })}\n`);
  process.once('SIGTERM', () => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${errorStack(error)}\n`);
        process.exit(1);
      },
    );
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorStack(error)}\n`);
  process.exit(1);
});
