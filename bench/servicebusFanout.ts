/**
 * The fan-out scenario of npm run bench:servicebus: one topic, ten subscriptions with SQL filters
 * (each message matches a few of them), messages sent in batches while one receiver per
 * subscription receives and completes. Reports messages/s into the topic and copies/s out of
 * the subscriptions. The expected copies per subscription come from the emulator's own SQL
 * compiler, so the run knows when every copy has arrived.
 */
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import { compileSqlFilter } from '../local/servicebus-emulator/sql';

export const FANOUT_TOPIC = 'fanout';
const SUBSCRIPTIONS = 10;
const REGIONS = ['eu', 'us', 'asia'];

function filterOf(index: number): string {
  return `kind = 'k${index}' OR (priority > ${(index + 1) * 9} AND region IN ('eu', 'us')) OR sys.Label LIKE 'broadcast%'`;
}

/** The topic for the emulator's Config.json. */
export function fanoutTopicConfig(): object {
  return {
    Name: FANOUT_TOPIC,
    Properties: { MaxSizeInMegabytes: 512 },
    Subscriptions: Array.from({ length: SUBSCRIPTIONS }, (_, i) => ({
      Name: `s${i}`,
      Properties: { LockDuration: 'PT1M', MaxSizeInMegabytes: 512 },
      Rules: [{ Name: 'sql', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: filterOf(i) } } }],
    })),
  };
}

function messageAt(n: number, body: Buffer): ServiceBusMessage {
  return {
    body,
    subject: n % 50 === 0 ? 'broadcast' : 'event',
    applicationProperties: { kind: `k${n % 13}`, priority: n % 100, region: REGIONS[n % REGIONS.length]! },
  };
}

function expectedCopies(count: number): number[] {
  const filters = Array.from({ length: SUBSCRIPTIONS }, (_, i) => compileSqlFilter(filterOf(i)));
  const totals = filters.map(() => 0);
  for (let n = 0; n < count; n += 1) {
    const m = messageAt(n, Buffer.alloc(0));
    const view = {
      system: { label: m.subject },
      user: m.applicationProperties as Record<string, string | number>,
    };
    filters.forEach((filter, i) => {
      if (filter(view)) totals[i]! += 1;
    });
  }
  return totals;
}

export interface FanoutResult {
  messages: number;
  copies: number;
  inPerSecond: number;
  outPerSecond: number;
}

export async function runFanout(
  connectionString: string,
  count: number,
  body: Buffer,
  progress: (line: string) => void,
): Promise<FanoutResult> {
  const expected = expectedCopies(count);
  const copies = expected.reduce((a, b) => a + b, 0);
  // Two connections for the receivers, one for the sender, as separate apps would have.
  const clients = [
    new ServiceBusClient(connectionString),
    new ServiceBusClient(connectionString),
    new ServiceBusClient(connectionString),
  ];
  const [sendClient, ...receiveClients] = clients as [ServiceBusClient, ...ServiceBusClient[]];
  let received = 0;
  const started = performance.now();
  const receiving = Promise.all(
    expected.map(async (want, i) => {
      const receiver = receiveClients[i % receiveClients.length]!.createReceiver(FANOUT_TOPIC, `s${i}`, {
        maxAutoLockRenewalDurationInMs: 0,
      });
      let got = 0;
      while (got < want) {
        const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 200 });
        await Promise.all(messages.map((message) => receiver.completeMessage(message)));
        got += messages.length;
        received += messages.length;
        if (messages.length > 0) progress(`fan-out: ${received}/${copies} copies received`);
      }
      await receiver.close();
    }),
  );
  const sender = sendClient.createSender(FANOUT_TOPIC);
  let sent = 0;
  while (sent < count) {
    const batch = await sender.createMessageBatch();
    while (sent < count && batch.tryAddMessage(messageAt(sent, body))) sent += 1;
    await sender.sendMessages(batch);
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await receiving;
  const totalSeconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.close()));
  return { messages: count, copies, inPerSecond: count / sendSeconds, outPerSecond: copies / totalSeconds };
}
