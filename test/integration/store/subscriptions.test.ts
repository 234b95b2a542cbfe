import { PreconditionFailedError } from '../../../shared/domain/repositories';
import { SubscriptionStore } from '../../../shared/store/SubscriptionStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';
import { subscriptionRecord } from './records';

let cosmos: TestCosmos;
let store: SubscriptionStore;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new SubscriptionStore(cosmos.database);
});

afterAll(async () => {
  await cosmos?.close();
});

describe('SubscriptionStore', () => {
  it('creates, reads, replaces with If-Match and refuses a stale ETag with 412', async () => {
    const created = await store.put(subscriptionRecord({ topic: 'orders', name: 'audit' }), {
      ifNoneMatch: '*',
    });
    expect(created.created).toBe(true);
    expect(created.record).not.toHaveProperty('_etag');

    const read = await store.get('orders', 'audit');
    expect(read?.etag).toBe(created.etag);
    expect(read?.record.destination).toEqual({
      endpointType: 'WebHook',
      endpointUrl: 'https://receiver.example/hook',
    });

    const replaced = await store.put(
      { ...created.record, filter: { subjectBeginsWith: '/eu/' } },
      { ifMatch: created.etag },
    );
    expect(replaced.created).toBe(false);
    expect(replaced.etag).not.toBe(created.etag);
    expect((await store.get('orders', 'audit'))?.record.filter).toEqual({ subjectBeginsWith: '/eu/' });

    // The first ETag is stale now: both replace and delete must refuse it.
    await expect(store.put(created.record, { ifMatch: created.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    await expect(store.delete('orders', 'audit', { ifMatch: created.etag })).rejects.toBeInstanceOf(
      PreconditionFailedError,
    );
    // Creating again with If-None-Match: * fails too.
    await expect(
      store.put(subscriptionRecord({ topic: 'orders', name: 'audit' }), { ifNoneMatch: '*' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);

    expect(await store.delete('orders', 'audit', { ifMatch: replaced.etag })).toBe(true);
    expect(await store.get('orders', 'audit')).toBeUndefined();
    expect(await store.delete('orders', 'audit')).toBe(false);
  });

  it('refuses If-Match on a subscription that does not exist', async () => {
    await expect(
      store.put(subscriptionRecord({ topic: 'orders', name: 'ghost' }), { ifMatch: 'some-etag' }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
  });

  it('upserts without conditions and says whether it created', async () => {
    const first = await store.put(subscriptionRecord({ topic: 'upserts', name: 'one' }));
    const second = await store.put({ ...first.record, status: 'disabled' });
    expect([first.created, second.created]).toEqual([true, false]);
    expect((await store.get('upserts', 'one'))?.record.status).toBe('disabled');
  });

  it('lists a topic page by page with continuation tokens, in name order, and only that topic', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `sub-${String(i).padStart(2, '0')}`);
    for (const name of [...names].reverse()) await store.put(subscriptionRecord({ topic: 'paged', name }));
    await store.put(subscriptionRecord({ topic: 'other-topic', name: 'sub-99' }));

    const seen: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await store.list('paged', { maxItems: 3, continuationToken });
      seen.push(page.items.map((item) => item.name));
      continuationToken = page.continuationToken;
    } while (continuationToken);

    expect(seen).toEqual([names.slice(0, 3), names.slice(3, 6), names.slice(6)]);
  });

  it('routes only to active subscriptions, and disable takes one out with its reason', async () => {
    await store.put(subscriptionRecord({ topic: 'routing', name: 'a' }));
    await store.put(subscriptionRecord({ topic: 'routing', name: 'b' }));
    await store.put(subscriptionRecord({ topic: 'routing', name: 'c', status: 'disabled' }));

    expect((await store.listActive('routing')).map((s) => s.name).sort()).toEqual(['a', 'b']);

    expect(await store.disable('routing', 'b', 'webhook answered 410 Gone')).toBe(true);
    expect((await store.listActive('routing')).map((s) => s.name)).toEqual(['a']);
    expect((await store.get('routing', 'b'))?.record).toMatchObject({
      status: 'disabled',
      disabledReason: 'webhook answered 410 Gone',
    });
    expect(await store.disable('routing', 'missing', 'x')).toBe(false);
  });
});
