import { RouteFailureStore } from '../../../shared/store/RouteFailureStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';

let cosmos: TestCosmos;
let store: RouteFailureStore;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new RouteFailureStore(cosmos.database);
});

afterAll(async () => {
  await cosmos?.close();
});

describe('RouteFailureStore', () => {
  it("keeps a message's last route error, bounded, under any message id a sender may choose", async () => {
    // Characters Cosmos DB refuses in an id: the store must not depend on the sender's choice.
    const messageId = 'orders/a?b#c\\d';
    expect(await store.get(messageId)).toBeUndefined();
    await store.record({ messageId, at: '2026-01-01T00:00:00Z', deliveryCount: 1, error: 'first' });
    await store.record({
      messageId,
      at: '2026-01-01T00:00:01Z',
      deliveryCount: 2,
      error: 'x'.repeat(5000),
    });
    const failure = await store.get(messageId);
    expect(failure).toEqual({
      messageId,
      at: '2026-01-01T00:00:01Z',
      deliveryCount: 2,
      error: 'x'.repeat(1024),
    });
    expect(await store.get('orders/a?b#c')).toBeUndefined();
  });
});
