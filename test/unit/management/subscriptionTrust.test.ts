import {
  PreconditionFailedError,
  type SubscriptionRepository,
  type VersionedSubscription,
} from '../../../shared/domain/repositories';
import type { SubscriptionRecord } from '../../../shared/domain/types';
import type { HandshakeVerdict } from '../../../shared/delivery/validationHandshake';
import { ProblemError } from '../../../shared/http/problem';
import {
  rotateSigningSecret,
  type SubscriptionTrustDependencies,
  validateSubscription,
} from '../../../shared/management/subscriptionTrust';
import { putSubscription, subscriptionView } from '../../../shared/management/subscriptions';
import { signingSecretsAt } from '../../../shared/subscriptions/signingSecret';
import type { SystemEvent } from '../../../shared/system/systemEvents';
import { rejectionOf } from '../../support/rejection';

const NOW = new Date('2026-03-01T12:00:00Z');
const webhook = (url = 'https://hooks.example/orders') => ({
  endpointType: 'WebHook' as const,
  endpointUrl: url,
});

/** One subscription in memory with ETag-conditional writes, as the store behaves. */
function memory(initial?: SubscriptionRecord) {
  let current: VersionedSubscription | undefined;
  let version = 0;
  const save = (record: SubscriptionRecord) => (current = { record, etag: `etag-${++version}` });
  if (initial) save(initial);
  const repository: Pick<SubscriptionRepository, 'get' | 'put'> = {
    get: async () => current,
    put: async (record, conditions = {}) => {
      if (conditions.ifNoneMatch === '*' && current) throw new PreconditionFailedError('exists');
      if (conditions.ifMatch !== undefined && conditions.ifMatch !== current?.etag) {
        throw new PreconditionFailedError('changed');
      }
      const created = current === undefined;
      return { ...save(record), created };
    },
  };
  return { repository, current: () => current?.record, save };
}

function trustWith(verdicts: HandshakeVerdict[]) {
  const handshakes: string[] = [];
  const events: SystemEvent[] = [];
  const trust: SubscriptionTrustDependencies = {
    handshake: async (url) => {
      handshakes.push(url);
      return verdicts.shift() ?? { accepted: true };
    },
    notify: async (event) => void events.push(event),
  };
  return { trust, handshakes, events };
}

function record(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'billing',
    topic: 'orders',
    name: 'billing',
    status: 'active',
    signingSecret: 'whsec_current',
    destination: webhook(),
    filter: {},
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    validation: 'handshake',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const put = (
  repository: Pick<SubscriptionRepository, 'get' | 'put'>,
  trust: SubscriptionTrustDependencies,
  body: unknown,
) =>
  putSubscription(repository as SubscriptionRepository, {
    topic: 'orders',
    name: 'billing',
    body,
    now: NOW,
    trust,
  });

describe('validation handshake on PUT', () => {
  it('creates an agreeing webhook active, with the allowed rate as delivery.maxPerSecond', async () => {
    const store = memory();
    const { trust, handshakes } = trustWith([{ accepted: true, allowedRatePerMinute: 30 }]);
    const response = await put(store.repository, trust, { destination: webhook() });
    expect(response.status).toBe(201);
    expect(handshakes).toEqual(['https://hooks.example/orders']);
    expect(store.current()).toMatchObject({
      status: 'active',
      validationState: { outcome: 'accepted', allowedRatePerMinute: 30 },
      delivery: { maxPerSecond: 0.5 },
    });
  });

  it('never raises the owner’s own maxPerSecond above what the endpoint allowed, nor the other way round', async () => {
    const store = memory();
    const { trust } = trustWith([{ accepted: true, allowedRatePerMinute: 600 }]);
    await put(store.repository, trust, {
      destination: webhook(),
      delivery: { maxPerSecond: 2, maxConcurrent: 3 },
    });
    expect(store.current()?.delivery).toEqual({ maxPerSecond: 2, maxConcurrent: 3 });
  });

  it('saves a refusing webhook pendingValidation with the reason and tells the owners once', async () => {
    const store = memory();
    const { trust, events } = trustWith([
      { accepted: false, reason: 'the endpoint answered OPTIONS with 405' },
    ]);
    const response = await put(store.repository, trust, { destination: webhook() });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      status: 'pendingValidation',
      validationState: { outcome: 'refused', reason: 'the endpoint answered OPTIONS with 405' },
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'subscription.validationFailed',
        topic: 'orders',
        subscription: 'billing',
        data: expect.objectContaining({ reason: 'the endpoint answered OPTIONS with 405' }),
      }),
    ]);
  });

  it('runs no handshake for a replace with the same URL, keeping the last outcome and its rate', async () => {
    const store = memory(
      record({
        validationState: { at: '2026-02-01T00:00:00Z', outcome: 'accepted', allowedRatePerMinute: 60 },
      }),
    );
    const { trust, handshakes } = trustWith([]);
    await put(store.repository, trust, { destination: webhook() });
    expect(handshakes).toEqual([]);
    expect(store.current()).toMatchObject({ status: 'active', delivery: { maxPerSecond: 1 } });
  });

  it('runs it again for a new URL, for a pending subscription and after opting back in', async () => {
    for (const before of [
      record({ destination: webhook('https://old.example/hook') }),
      record({ status: 'pendingValidation' }),
      record({ validation: 'none' }),
    ]) {
      const store = memory(before);
      const { trust, handshakes } = trustWith([]);
      await put(store.repository, trust, { destination: webhook() });
      expect(handshakes).toHaveLength(1);
    }
  });

  it('runs none with validation "none" or for a Service Bus destination', async () => {
    for (const body of [
      { destination: webhook(), validation: 'none' },
      { destination: { endpointType: 'ServiceBusQueue', queueName: 'orders-out' } },
    ]) {
      const store = memory();
      const { trust, handshakes } = trustWith([{ accepted: false, reason: 'would refuse' }]);
      await put(store.repository, trust, body);
      expect(handshakes).toEqual([]);
      expect(store.current()?.status).toBe('active');
    }
  });
});

describe('POST .../validate', () => {
  const validate = (store: ReturnType<typeof memory>, trust: SubscriptionTrustDependencies) =>
    validateSubscription(
      store.repository,
      trust,
      { topic: 'orders', name: 'billing', now: NOW },
      subscriptionView,
    );

  it('activates a pending subscription whose endpoint now agrees; a disabled one stays disabled', async () => {
    const pending = memory(record({ status: 'pendingValidation' }));
    expect((await validate(pending, trustWith([]).trust)).status).toBe(200);
    expect(pending.current()?.status).toBe('active');

    const disabled = memory(record({ status: 'disabled', disabledReason: '410 Gone' }));
    await validate(disabled, trustWith([]).trust);
    expect(disabled.current()).toMatchObject({
      status: 'disabled',
      validationState: { outcome: 'accepted' },
    });
  });

  it('puts an active subscription back to pending when its endpoint now refuses, and tells the owners', async () => {
    const store = memory(record());
    const { trust, events } = trustWith([{ accepted: false, reason: 'no header' }]);
    await validate(store, trust);
    expect(store.current()?.status).toBe('pendingValidation');
    expect(events.map((event) => event.type)).toEqual(['subscription.validationFailed']);
  });

  it('answers 404 for no subscription and 409 when there is no handshake to run', async () => {
    const none = await rejectionOf(validate(memory(), trustWith([]).trust), ProblemError);
    expect(none.problem.status).toBe(404);
    const optedOut = await rejectionOf(
      validate(memory(record({ validation: 'none' })), trustWith([]).trust),
      ProblemError,
    );
    expect(optedOut.problem.status).toBe(409);
    const queue = memory(record({ destination: { endpointType: 'ServiceBusQueue', queueName: 'q' } }));
    expect((await rejectionOf(validate(queue, trustWith([]).trust), ProblemError)).problem.status).toBe(409);
  });
});

describe('rotateSigningSecret', () => {
  const rotate = (store: ReturnType<typeof memory>, body: unknown, events: SystemEvent[] = [], now = NOW) =>
    rotateSigningSecret(
      store.repository,
      { notify: async (event) => void events.push(event) },
      { topic: 'orders', name: 'billing', body, now, generate: () => `whsec_new_${now.getTime()}` },
    );

  it('answers the new secret once (no-store) and keeps the old one for the overlap, 24 h by default', async () => {
    const store = memory(record());
    const events: SystemEvent[] = [];
    const response = await rotate(store, undefined, events);
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({ 'cache-control': 'no-store' });
    expect(response.body).toEqual({
      signingSecret: `whsec_new_${NOW.getTime()}`,
      previousSigningSecretExpiresAt: '2026-03-02T12:00:00.000Z',
    });
    expect(store.current()).toMatchObject({
      signingSecret: `whsec_new_${NOW.getTime()}`,
      previousSigningSecret: 'whsec_current',
      previousSigningSecretExpiresAt: '2026-03-02T12:00:00.000Z',
    });
    expect(events).toEqual([
      {
        type: 'subscription.secretRotated',
        topic: 'orders',
        subscription: 'billing',
        data: {
          rotatedAt: NOW.toISOString(),
          overlapSeconds: 86_400,
          previousSecretExpiresAt: '2026-03-02T12:00:00.000Z',
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toMatch(/whsec_/);
    expect(JSON.stringify(subscriptionView(store.current()!))).not.toMatch(/whsec_/);
  });

  it('ends the old secret at once with overlapSeconds 0, and drops the oldest on a second rotation', async () => {
    const store = memory(record());
    await rotate(store, { overlapSeconds: 0 });
    expect(store.current()?.previousSigningSecret).toBeUndefined();
    await rotate(store, { overlapSeconds: 60 }, [], new Date(NOW.getTime() + 1000));
    expect(store.current()).toMatchObject({
      signingSecret: `whsec_new_${NOW.getTime() + 1000}`,
      previousSigningSecret: `whsec_new_${NOW.getTime()}`,
    });
  });

  it('refuses an overlap out of bounds or an unknown field (400 naming it), and an unknown subscription (404)', async () => {
    for (const body of [
      { overlapSeconds: -1 },
      { overlapSeconds: 604_801 },
      { overlapSeconds: 1.5 },
      { overlap: 5 },
    ]) {
      const error = await rejectionOf(rotate(memory(record()), body), ProblemError);
      expect(error.problem.status).toBe(400);
    }
    expect((await rejectionOf(rotate(memory(), {}), ProblemError)).problem.status).toBe(404);
  });
});

describe('signingSecretsAt', () => {
  const rotated = record({
    signingSecret: 'whsec_new',
    previousSigningSecret: 'whsec_old',
    previousSigningSecretExpiresAt: '2026-03-01T12:00:10.000Z',
  });

  it('signs with both secrets until the overlap ends, then with the new one only', () => {
    expect(signingSecretsAt(rotated, new Date('2026-03-01T12:00:09.999Z'))).toEqual({
      current: 'whsec_new',
      previous: 'whsec_old',
    });
    expect(signingSecretsAt(rotated, new Date('2026-03-01T12:00:10.000Z'))).toEqual({ current: 'whsec_new' });
    expect(signingSecretsAt(record(), NOW)).toEqual({ current: 'whsec_current' });
  });
});
