import { EventStore } from '../../../shared/store/EventStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';
import { eventRecord } from './records';

let cosmos: TestCosmos;
let store: EventStore;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new EventStore(cosmos.database);
});

afterAll(async () => {
  await cosmos?.close();
});

describe('EventStore', () => {
  it('creates an event once: a second create with the same key returns the first record', async () => {
    const first = await store.createIfAbsent(eventRecord('orders:shop:1', { type: 'order.created' }));
    const again = await store.createIfAbsent(eventRecord('orders:shop:1', { type: 'order.changed' }));

    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.record.type).toBe('order.created');
    expect(again.record).not.toHaveProperty('_rid');
    expect((await store.get('orders:shop:1'))?.type).toBe('order.created');
  });

  it('concurrent creates of one event leave exactly one creator', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => store.createIfAbsent(eventRecord('orders:shop:race'))),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
  });

  it('concurrent creates of different events (one bulk request) each report their own outcome', async () => {
    await store.createIfAbsent(eventRecord('orders:bulk:existing', { type: 'order.created' }));
    const keys = Array.from({ length: 40 }, (_, i) => `orders:bulk:${i}`);
    const results = await Promise.all([
      ...keys.map((key) => store.createIfAbsent(eventRecord(key, { type: 'order.bulk' }))),
      store.createIfAbsent(eventRecord('orders:bulk:existing', { type: 'order.changed' })),
    ]);

    expect(results.slice(0, 40).every((result) => result.created)).toBe(true);
    expect(results.map((result) => result.record.eventKey)).toEqual([...keys, 'orders:bulk:existing']);
    expect(results[40]).toMatchObject({ created: false, record: { type: 'order.created' } });
    expect(results[0]?.record).not.toHaveProperty('_rid');
    for (const key of keys) expect((await store.get(key))?.type).toBe('order.bulk');
  });
});
