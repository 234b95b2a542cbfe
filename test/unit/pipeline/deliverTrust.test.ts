import type { DeliveryMessage, SubscriptionRecord } from '../../../shared/domain/types';
import type { WebhookDelivery } from '../../../shared/delivery/webhookClient';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import type { SystemEvent } from '../../../shared/system/systemEvents';
import { fakeDeliver, webhookSubscription } from './fakeDeliver';

const NOW = new Date('2026-01-01T01:00:00Z');
const message: DeliveryMessage = {
  deliveryId: 'd-1',
  eventKey: 'k'.repeat(32),
  topic: 'orders',
  subscription: 'hook',
  attempt: 1,
  firstAttemptAt: NOW.toISOString(),
  event: { specversion: '1.0', id: 'e-1', source: '/s', type: 't' },
};

/** deliver over the in-memory fakes, with this subscription and a recording system event sink. */
function setUp(subscription: SubscriptionRecord, webhookStatus = 200) {
  const fake = fakeDeliver({ webhookStatus: () => webhookStatus, now: () => NOW });
  const calls: WebhookDelivery[] = [];
  const emitted: SystemEvent[] = [];
  const base = fake.dependencies(true);
  const dependencies = {
    ...base,
    subscription: async () => subscription,
    deliverWebhook: async (delivery: WebhookDelivery, sent: DeliveryMessage) => {
      calls.push(delivery);
      return base.deliverWebhook(delivery, sent);
    },
    systemEvents: { emit: async (event: SystemEvent) => void emitted.push(event) },
  };
  return { fake, calls, emitted, dependencies };
}

describe('deliver and subscription trust', () => {
  it('does not call a pendingValidation endpoint: the delivery is dead-lettered with the reason', async () => {
    const { fake, calls, dependencies } = setUp({
      ...webhookSubscription,
      status: 'pendingValidation',
      validationState: { at: NOW.toISOString(), outcome: 'refused', reason: 'OPTIONS answered 405' },
    });
    const result = await deliverAttempt(dependencies, message);
    expect(calls).toEqual([]);
    expect(result).toMatchObject({ kind: 'attempted', destinationCalled: false });
    expect(fake.deadLetters).toEqual([
      expect.objectContaining({
        reason: 'SubscriptionPendingValidation',
        description: expect.stringContaining('OPTIONS answered 405'),
      }),
    ]);
  });

  it('hands the webhook both secrets during a rotation overlap and the current one after it', async () => {
    const during = setUp({
      ...webhookSubscription,
      signingSecret: 'whsec_new',
      previousSigningSecret: 'whsec_old',
      previousSigningSecretExpiresAt: new Date(NOW.getTime() + 1).toISOString(),
    });
    await deliverAttempt(during.dependencies, message);
    expect(during.calls[0]).toMatchObject({ signingSecret: 'whsec_new', previousSigningSecret: 'whsec_old' });

    const after = setUp({
      ...webhookSubscription,
      signingSecret: 'whsec_new',
      previousSigningSecret: 'whsec_old',
      previousSigningSecretExpiresAt: NOW.toISOString(),
    });
    await deliverAttempt(after.dependencies, message);
    expect(after.calls[0]?.signingSecret).toBe('whsec_new');
    expect(after.calls[0]).not.toHaveProperty('previousSigningSecret');
  });

  it('emits delivery.deadLettered for a subscription that opted in, and only then', async () => {
    const oneAttempt = { ...webhookSubscription.retryPolicy, maxDeliveryAttempts: 1 };
    const optedIn = setUp(
      { ...webhookSubscription, retryPolicy: oneAttempt, notifications: { deadLettered: true } },
      500,
    );
    await deliverAttempt(optedIn.dependencies, message);
    expect(optedIn.emitted).toEqual([
      {
        type: 'delivery.deadLettered',
        topic: 'orders',
        subscription: 'hook',
        data: expect.objectContaining({ deliveryId: 'd-1', eventKey: message.eventKey, attempt: 1 }),
      },
    ]);

    const silent = setUp({ ...webhookSubscription, retryPolicy: oneAttempt }, 500);
    await deliverAttempt(silent.dependencies, message);
    expect(silent.fake.deadLetters).toHaveLength(1);
    expect(silent.emitted).toEqual([]);

    const retrying = setUp({ ...webhookSubscription, notifications: { deadLettered: true } }, 500);
    await deliverAttempt(retrying.dependencies, message);
    expect(retrying.emitted).toEqual([]);
  });
});
