import type { SubscriptionRecord } from '../../../shared/domain/types';
import { disableIfUnchanged, type SubscriptionVersions } from '../../../shared/pipeline/disableSubscription';
import { PreconditionFailedError } from '../../../shared/domain/repositories';

function subscription(updatedAt: string, endpointUrl: string): SubscriptionRecord {
  return {
    id: 'hook',
    topic: 'orders',
    name: 'hook',
    status: 'active',
    signingSecret: 'whsec_test',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt,
    destination: { endpointType: 'WebHook', endpointUrl },
    filter: {},
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  };
}

/** One stored subscription with an ETag that changes on every write, as in Cosmos DB. */
function storeHolding(initial: SubscriptionRecord | undefined) {
  let stored = initial;
  let version = 1;
  let beforeWrite: () => void = () => undefined;
  const store: SubscriptionVersions = {
    get: async () => (stored ? { record: stored, etag: `v${version}` } : undefined),
    put: async (record, conditions = {}) => {
      beforeWrite();
      if (conditions.ifMatch !== undefined && conditions.ifMatch !== `v${version}`) {
        throw new PreconditionFailedError('changed');
      }
      stored = record;
      version += 1;
      return { record, etag: `v${version}`, created: false };
    },
  };
  return {
    store,
    stored: () => stored,
    /** Another writer (a PUT) gets in between this read and this write. */
    replaceBeforeNextWrite(record: SubscriptionRecord) {
      beforeWrite = () => {
        stored = record;
        version += 1;
        beforeWrite = () => undefined;
      };
    },
  };
}

const now = new Date('2026-01-02T00:00:00Z');

describe('disabling a subscription after 410 Gone', () => {
  it('disables the version whose webhook answered 410', async () => {
    const called = subscription('2026-01-01T00:00:00Z', 'https://old.test/hook');
    const holder = storeHolding(called);
    expect(await disableIfUnchanged(holder.store, called, 'the webhook answered 410 Gone', now)).toBe(
      'disabled',
    );
    expect(holder.stored()).toMatchObject({
      status: 'disabled',
      disabledReason: 'the webhook answered 410 Gone',
    });
  });

  it('leaves a subscription alone that was replaced after the attempt read it (a late 410 from the old URL)', async () => {
    const called = subscription('2026-01-01T00:00:00Z', 'https://old.test/hook');
    const fixed = subscription('2026-01-01T00:05:00Z', 'https://new.test/hook');
    const holder = storeHolding(fixed);
    expect(await disableIfUnchanged(holder.store, called, 'gone', now)).toBe('changedSince');
    expect(holder.stored()).toEqual(fixed);
  });

  it('lets a replace that lands between the read and the write win', async () => {
    const called = subscription('2026-01-01T00:00:00Z', 'https://old.test/hook');
    const fixed = subscription('2026-01-01T00:05:00Z', 'https://new.test/hook');
    const holder = storeHolding(called);
    holder.replaceBeforeNextWrite(fixed);
    expect(await disableIfUnchanged(holder.store, called, 'gone', now)).toBe('changedSince');
    expect(holder.stored()?.status).toBe('active');
  });

  it('does nothing for a deleted or an already disabled subscription', async () => {
    const called = subscription('2026-01-01T00:00:00Z', 'https://old.test/hook');
    expect(await disableIfUnchanged(storeHolding(undefined).store, called, 'gone', now)).toBe('gone');
    const disabled = {
      ...called,
      status: 'disabled' as const,
      disabledReason: 'first 410',
      updatedAt: '2026-01-01T00:01:00Z',
    };
    const holder = storeHolding(disabled);
    expect(await disableIfUnchanged(holder.store, called, 'second 410', now)).toBe('alreadyDisabled');
    expect(holder.stored()).toEqual(disabled);
  });
});
