import { configWith, startHarness, type Harness } from './support/emulator';

/**
 * GET /operations on the HTTP port: what the SDK's calls amounted to, per entity and operation,
 * as the cost benchmark (bench/cost.ts) reads them.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness(configWith({ orders: {}, other: {} }));
});
afterAll(() => h.close());

async function operations(): Promise<Record<string, Record<string, number>>> {
  const response = await fetch(`http://127.0.0.1:${h.emulator.httpPort}/operations`);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, Record<string, number>>;
}

it('counts sends per message and per transfer, receives, each kind of settlement and scheduled messages', async () => {
  const sender = h.client.createSender('orders');
  await sender.sendMessages([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
  await sender.sendMessages({ body: 'd' });
  await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 3_600_000));

  const receiver = h.client.createReceiver('orders');
  const received = await receiver.receiveMessages(4, { maxWaitTimeInMs: 5000 });
  expect(received.map((m) => m.body as string).sort()).toEqual(['a', 'b', 'c', 'd']);
  const [first, second, third, fourth] = received;
  await receiver.completeMessage(first!);
  await receiver.completeMessage(second!);
  await receiver.abandonMessage(third!);
  await receiver.deadLetterMessage(fourth!, {
    deadLetterReason: 'test',
    deadLetterErrorDescription: 'counted',
  });
  await receiver.close();
  await sender.close();

  const counts = await operations();
  expect(counts.orders).toEqual(
    expect.objectContaining({
      send: 4,
      'send transfer': 2,
      receive: 4,
      complete: 2,
      abandon: 1,
      deadLetter: 1,
      schedule: 1,
      'management schedule-message': 1,
    }),
  );
  // Nothing touched the other queue; the SDK put its tokens on $cbs.
  expect(counts.other).toBeUndefined();
  expect(counts.$cbs?.['put-token']).toBeGreaterThan(0);
  // The same figures in process.
  expect(h.emulator.operationCounts().orders).toEqual(counts.orders);
});
