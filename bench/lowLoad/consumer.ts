/**
 * The receiving side of `npm run bench:low-load`: a Service Bus receiver with the dev host's
 * settings (peekLock, host.json's maxConcurrentCalls and lock renewal, bodies left as bytes) that
 * completes every message, nothing else. Prints `READY {}`; answers the IPC message "count" with
 * how many it completed; exits on SIGTERM. Profiled on request
 * (profileOnRequest.ts); its socket traffic is counted on request (socketTraffic.ts).
 */
import { ServiceBusClient } from '@azure/service-bus';
import { hostServiceBusOptions } from '../pipeline/hostConcurrency';
import { errorStack } from '../../shared/errors/errorMessage';
import { profileOnRequest } from './profileOnRequest';
import { countSocketTrafficOnRequest } from './socketTraffic';

function main(): void {
  const [connectionString, queue] = process.argv.slice(2);
  if (!connectionString || !queue) throw new Error('usage: consumer.ts <connection string> <queue>');
  const options = hostServiceBusOptions();
  const client = new ServiceBusClient(connectionString);
  const receiver = client.createReceiver(queue, {
    receiveMode: 'peekLock',
    maxAutoLockRenewalDurationInMs: options.maxAutoLockRenewalDurationMs,
    skipParsingBodyAsJson: true,
  });
  let completed = 0;
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        await receiver.completeMessage(message);
        completed += 1;
      },
      processError: (args) => {
        process.stderr.write(`receiver: ${args.error.message}\n`);
        return Promise.resolve();
      },
    },
    { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls },
  );
  process.on('message', (request) => {
    if (request === 'count') process.send?.({ completed });
  });
  profileOnRequest();
  countSocketTrafficOnRequest();
  process.stdout.write('READY {}\n');
  process.once('SIGTERM', () => {
    subscription
      .close()
      .then(() => receiver.close())
      .then(() => client.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`${errorStack(error)}\n`);
          process.exit(1);
        },
      );
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`${errorStack(error)}\n`);
  process.exit(1);
}
