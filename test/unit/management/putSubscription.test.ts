import {
  type PutConditions,
  PreconditionFailedError,
  type SubscriptionRepository,
  type VersionedSubscription,
} from '../../../shared/domain/repositories';
import type { SubscriptionRecord } from '../../../shared/domain/types';
import { ProblemError } from '../../../shared/http/problem';
import { putSubscription, type PutSubscriptionInput } from '../../../shared/management/subscriptions';
import { rejectionOf } from '../../support/rejection';

const NOW = new Date('2026-03-01T12:00:00Z');
const EARLIER = '2026-01-01T00:00:00.000Z';
const body = { destination: { endpointType: 'WebHook', endpointUrl: 'https://hooks.example/orders' } };

/**
 * Subscriptions in memory with Cosmos DB's conditional writes: each write gives a new ETag, and
 * a put whose condition no longer holds throws PreconditionFailedError, as the store does.
 */
function memoryRepository(initial?: SubscriptionRecord) {
  const records = new Map<string, VersionedSubscription>();
  let version = 0;
  const key = (topic: string, name: string) => `${topic}/${name}`;
  const writes: Array<{ record: SubscriptionRecord; conditions: PutConditions }> = [];
  /** Set to run once just before the next write: another writer getting in between. */
  let beforeNextWrite: (() => void) | undefined;
  const store = (record: SubscriptionRecord) => {
    version += 1;
    const saved = { record, etag: `etag-${version}` };
    records.set(key(record.topic, record.name), saved);
    return saved;
  };
  if (initial) store(initial);
  const repository: SubscriptionRepository = {
    get: async (topic, name) => records.get(key(topic, name)),
    list: async () => ({ items: [...records.values()].map(({ record }) => record) }),
    put: async (record, conditions = {}) => {
      const interloper = beforeNextWrite;
      beforeNextWrite = undefined;
      interloper?.();
      writes.push({ record, conditions });
      const current = records.get(key(record.topic, record.name));
      if (conditions.ifNoneMatch === '*' && current) throw new PreconditionFailedError('exists');
      if (conditions.ifMatch !== undefined && conditions.ifMatch !== current?.etag) {
        throw new PreconditionFailedError('changed');
      }
      return { ...store(record), created: current === undefined };
    },
    delete: async (topic, name) => records.delete(key(topic, name)),
  };
  return {
    repository,
    writes,
    stored: (name: string) => records.get(key('orders', name)),
    interleave: (write: () => void) => (beforeNextWrite = write),
    store,
  };
}

function existing(overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'billing',
    topic: 'orders',
    name: 'billing',
    status: 'disabled',
    disabledReason: 'the endpoint answered 410 Gone',
    signingSecret: 'whsec_existing',
    createdAt: EARLIER,
    updatedAt: EARLIER,
    destination: { endpointType: 'WebHook', endpointUrl: 'https://old.example/hook' },
    filter: {},
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    ...overrides,
  };
}

function input(overrides: Partial<PutSubscriptionInput> = {}): PutSubscriptionInput {
  return { topic: 'orders', name: 'billing', body, now: NOW, ...overrides };
}

/** The problem a call is refused with (it must be refused). */
const refusal = (call: Promise<unknown>): Promise<ProblemError> => rejectionOf(call, ProblemError);

describe('putSubscription', () => {
  it('creates a subscription: 201 with its signing secret (the only time it is shown), an ETag and a location', async () => {
    const memory = memoryRepository();
    const response = await putSubscription(memory.repository, input());

    expect(response.status).toBe(201);
    expect(response.headers).toEqual({
      etag: '"etag-1"',
      location: '/api/topics/orders/subscriptions/billing',
    });
    const saved = memory.stored('billing')!.record;
    expect(response.body).toMatchObject({ name: 'billing', topic: 'orders', status: 'active' });
    expect((response.body as { signingSecret: string }).signingSecret).toBe(saved.signingSecret);
    expect(saved.signingSecret).toMatch(/^whsec_/);
    expect(saved).toMatchObject({ createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    // A create must not replace one made in the meantime.
    expect(memory.writes[0]!.conditions).toEqual({ ifNoneMatch: '*' });
  });

  it('replaces a subscription: 200 without the secret, which it keeps, re-enabled, created time kept', async () => {
    const memory = memoryRepository(existing());
    const response = await putSubscription(memory.repository, input());

    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ etag: '"etag-2"' });
    expect(response.body).not.toHaveProperty('signingSecret');
    expect(memory.stored('billing')!.record).toMatchObject({
      status: 'active',
      signingSecret: 'whsec_existing',
      createdAt: EARLIER,
      updatedAt: NOW.toISOString(),
      destination: body.destination,
    });
    expect(memory.stored('billing')!.record).not.toHaveProperty('disabledReason');
    // The replace is conditional on the version it read.
    expect(memory.writes[0]!.conditions).toEqual({ ifMatch: 'etag-1' });
  });

  it('replaces when If-Match names the current version (quoted or bare) or is *', async () => {
    for (const ifMatch of ['"etag-1"', 'etag-1', '*']) {
      const memory = memoryRepository(existing());
      expect((await putSubscription(memory.repository, input({ ifMatch }))).status).toBe(200);
    }
  });

  it('answers 412 and writes nothing when If-Match names another version', async () => {
    const memory = memoryRepository(existing());
    const problem = await refusal(putSubscription(memory.repository, input({ ifMatch: '"etag-0"' })));

    expect(problem.problem.status).toBe(412);
    expect(problem.problem.detail).toMatch(/If-Match does not match/);
    expect(memory.writes).toHaveLength(0);
  });

  it('answers 412 when If-Match is given for a subscription that does not exist', async () => {
    const memory = memoryRepository();
    const problem = await refusal(putSubscription(memory.repository, input({ ifMatch: '*' })));

    expect(problem.problem.status).toBe(412);
    expect(problem.problem.detail).toMatch(/does not exist/);
    expect(memory.stored('billing')).toBeUndefined();
  });

  it('answers 412 for If-None-Match: * when the subscription exists, and creates with it when not', async () => {
    const taken = memoryRepository(existing());
    const problem = await refusal(putSubscription(taken.repository, input({ ifNoneMatch: '*' })));
    expect(problem.problem.status).toBe(412);
    expect(taken.stored('billing')!.record.signingSecret).toBe('whsec_existing');

    const free = memoryRepository();
    expect((await putSubscription(free.repository, input({ ifNoneMatch: '*' }))).status).toBe(201);
  });

  it('answers 412 when another writer changes the subscription between the read and the write', async () => {
    const memory = memoryRepository(existing());
    const other = existing({ signingSecret: 'whsec_other', updatedAt: '2026-02-01T00:00:00.000Z' });
    memory.interleave(() => memory.store(other));
    const problem = await refusal(putSubscription(memory.repository, input()));

    expect(problem.problem.status).toBe(412);
    expect(problem.problem.detail).toMatch(/changed while it was being saved/);
    expect(memory.stored('billing')!.record).toEqual(other);
  });

  it('refuses a webhook target the SSRF check refuses, naming the field, before reading or writing', async () => {
    const memory = memoryRepository();
    const checked: string[] = [];
    const problem = await refusal(
      putSubscription(
        memory.repository,
        input({
          checkWebhookTarget: async (url) => {
            checked.push(url);
            return 'hooks.example resolves to 10.0.0.5, a private address';
          },
        }),
      ),
    );

    expect(checked).toEqual(['https://hooks.example/orders']);
    expect(problem.problem.status).toBe(400);
    expect(problem.problem.errors).toEqual([
      { field: 'destination.endpointUrl', message: 'hooks.example resolves to 10.0.0.5, a private address' },
    ]);
    expect(memory.writes).toHaveLength(0);
  });

  it('does not check the target of a Service Bus destination', async () => {
    const memory = memoryRepository();
    const check = jest.fn(async () => 'refused');
    const response = await putSubscription(
      memory.repository,
      input({
        body: { destination: { endpointType: 'ServiceBusQueue', queueName: 'orders-out' } },
        checkWebhookTarget: check,
      }),
    );

    expect(response.status).toBe(201);
    expect(check).not.toHaveBeenCalled();
  });

  it('answers 400 naming the field for a bad body, a bad name or a bad topic, and writes nothing', async () => {
    const memory = memoryRepository();
    const badBody = await refusal(putSubscription(memory.repository, input({ body: { destination: {} } })));
    expect(badBody.problem.status).toBe(400);
    expect(badBody.problem.errors?.[0]?.field).toMatch(/^destination/);

    const badName = await refusal(putSubscription(memory.repository, input({ name: 'no spaces allowed' })));
    expect(badName.problem.errors?.[0]?.field).toBe('name');

    const badTopic = await refusal(putSubscription(memory.repository, input({ topic: '' })));
    expect(badTopic.problem.status).toBe(400);
    expect(memory.writes).toHaveLength(0);
  });
});
