/**
 * How late the Service Bus emulator activates scheduled messages: each of N messages is
 * scheduled 500 ms ahead, one after another, and a subscribed receiver notes when it arrives.
 * Not a test: the integration tests say a scheduled message never arrives early; this says how
 * soon after its time it does, on this machine, now.
 * Usage: npm run bench:scheduled [-- --messages N]
 */
import { parseArgs } from 'node:util';
import { ServiceBusClient } from '@azure/service-bus';
import { start } from '../local/servicebus-emulator';
import { getFreePort } from '../local/stack/checkPorts';
import { errorStack } from '../shared/errors/errorMessage';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20' } } });
const messages = Number(values.messages);
if (!Number.isInteger(messages) || messages < 1)
  throw new Error(`--messages must be a positive integer, not "${values.messages}"`);

async function main(): Promise<void> {
  const config = {
    UserConfig: {
      Namespaces: [{ Name: 'sbemulatorns', Queues: [{ Name: 'scheduled' }] }],
      Logging: { Type: 'Console' },
    },
  };
  const emulator = await start({ config, port: await getFreePort(), httpPort: 0 });
  const client = new ServiceBusClient(emulator.connectionString);
  try {
    const lateness: number[] = [];
    const due = new Map<string, number>();
    const receiver = client.createReceiver('scheduled', { receiveMode: 'receiveAndDelete' });
    const all = new Promise<void>((resolve) => {
      receiver.subscribe({
        processMessage: (message) => {
          lateness.push(Date.now() - due.get(String(message.messageId))!);
          if (lateness.length === messages) resolve();
          return Promise.resolve();
        },
        processError: ({ error }) => {
          console.error(`receive: ${error.message}`);
          return Promise.resolve();
        },
      });
    });
    const sender = client.createSender('scheduled');
    for (let i = 0; i < messages; i++) {
      const at = Date.now() + 500;
      due.set(`m${i}`, at);
      await sender.scheduleMessages({ body: i, messageId: `m${i}` }, new Date(at));
    }
    await all;
    lateness.sort((a, b) => a - b);
    const at = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))]!;
    console.log(
      `${messages} scheduled messages, lateness after their time: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms, min ${at(0)} ms`,
    );
  } finally {
    await Promise.allSettled([client.close(), emulator.close()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${errorStack(error)}\n`);
  process.exit(1);
});
