import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';

export interface RawServiceBusResult {
  mode: string;
  messages: number;
  seconds: number;
  /** Messages sent, received and completed per second, all three running at once. */
  perSecond: number;
}

const BODY = Buffer.alloc(1024, 'x');

/**
 * The emulator's own rate through the @azure/service-bus SDK, 1 KB messages: one sender and one
 * streaming receiver (maxConcurrentCalls as the dev host uses) on their own connections, sending
 * and receiving + completing at the same time. The queue must have no other consumer.
 */
export async function measureRawServiceBus(
  connectionString: string,
  queue: string,
  messages: number,
  options: {
    batch: boolean;
    inFlight: number;
    maxConcurrentCalls: number;
    onProgress?: (done: number) => void;
  },
): Promise<RawServiceBusResult> {
  const sendClient = new ServiceBusClient(connectionString);
  const receiveClient = new ServiceBusClient(connectionString);
  const sender = sendClient.createSender(queue);
  const receiver = receiveClient.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
  try {
    // Open both links before the clock starts.
    await sender.sendMessages({ body: BODY });
    await receiver
      .receiveMessages(1, { maxWaitTimeInMs: 5_000 })
      .then((got) => Promise.all(got.map((m) => receiver.completeMessage(m))));
    let completed = 0;
    let resolveAll!: () => void;
    const allCompleted = new Promise<void>((resolve) => (resolveAll = resolve));
    const started = performance.now();
    const subscription = receiver.subscribe(
      {
        processMessage: async (message: ServiceBusReceivedMessage) => {
          await receiver.completeMessage(message);
          completed++;
          options.onProgress?.(completed);
          if (completed >= messages) resolveAll();
        },
        processError: () => Promise.resolve(),
      },
      { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls },
    );
    let next = 0;
    const batchSize = 50;
    await Promise.all(
      Array.from({ length: options.inFlight }, async () => {
        while (next < messages) {
          if (options.batch) {
            const count = Math.min(batchSize, messages - next);
            next += count;
            await sender.sendMessages(Array.from({ length: count }, () => ({ body: BODY })));
          } else {
            next++;
            await sender.sendMessages({ body: BODY });
          }
        }
      }),
    );
    await allCompleted;
    const seconds = (performance.now() - started) / 1000;
    await subscription.close();
    return {
      mode: options.batch ? `batches of ${batchSize}` : `one message per send, ${options.inFlight} in flight`,
      messages,
      seconds,
      perSecond: messages / seconds,
    };
  } finally {
    await Promise.allSettled([sender.close(), receiver.close()]);
    await Promise.allSettled([sendClient.close(), receiveClient.close()]);
  }
}
