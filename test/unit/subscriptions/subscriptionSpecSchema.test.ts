import { ProblemError } from '../../../shared/http/problem';
import {
  parseSubscriptionSpec,
  parseSubscriptionSpecOrThrow,
} from '../../../shared/subscriptions/subscriptionSpecSchema';

const webhook = { endpointType: 'WebHook', endpointUrl: 'https://receiver.example/hooks' };

function errorsOf(body: unknown): Array<{ field: string; message: string }> {
  const result = parseSubscriptionSpec(body);
  if (result.ok) throw new Error('expected the body to be rejected');
  return result.errors;
}

function fieldsOf(body: unknown): string[] {
  return errorsOf(body).map((error) => error.field);
}

function filterWith(advancedFilters: unknown[]): unknown {
  return { destination: webhook, filter: { advancedFilters } };
}

describe('subscription body: defaults', () => {
  it('accepts the contract example and applies retry defaults', () => {
    const result = parseSubscriptionSpec({
      destination: { ...webhook, headers: { Authorization: 'Bearer abc' } },
      filter: {
        includedEventTypes: ['order.created'],
        subjectBeginsWith: '/orders/',
        subjectEndsWith: '',
        advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 }],
      },
    });
    expect(result).toEqual({
      ok: true,
      spec: {
        destination: { ...webhook, headers: { Authorization: 'Bearer abc' } },
        filter: {
          includedEventTypes: ['order.created'],
          subjectBeginsWith: '/orders/',
          subjectEndsWith: '',
          advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 }],
        },
        retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
        validation: 'handshake',
      },
    });
  });

  it('takes delivery limits, validation and notifications, and names the field of a bad one', () => {
    expect(
      parseSubscriptionSpec({
        destination: webhook,
        delivery: { maxPerSecond: 0.5, maxConcurrent: 4 },
        validation: 'none',
        notifications: { deadLettered: true },
      }),
    ).toMatchObject({
      ok: true,
      spec: {
        delivery: { maxPerSecond: 0.5, maxConcurrent: 4 },
        validation: 'none',
        notifications: { deadLettered: true },
      },
    });
    const refused = parseSubscriptionSpec({
      destination: webhook,
      delivery: { maxPerSecond: 0, maxConcurrent: 1.5 },
      validation: 'maybe',
      notifications: { deadLettered: 'yes', other: true },
    });
    expect(refused.ok).toBe(false);
    const fields = refused.ok ? [] : refused.errors.map((error) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'delivery.maxPerSecond',
        'delivery.maxConcurrent',
        'validation',
        'notifications.deadLettered',
      ]),
    );
  });

  it('fills a partial retry policy and keeps a custom schedule', () => {
    const result = parseSubscriptionSpec({
      destination: webhook,
      retryPolicy: { maxDeliveryAttempts: 5, schedule: [1, 5, 30] },
    });
    expect(result).toMatchObject({
      ok: true,
      spec: {
        filter: {},
        retryPolicy: { maxDeliveryAttempts: 5, eventTimeToLiveInMinutes: 1440, schedule: [1, 5, 30] },
      },
    });
  });

  it('accepts Service Bus destinations', () => {
    expect(
      parseSubscriptionSpec({ destination: { endpointType: 'ServiceBusQueue', queueName: 'orders-out' } }).ok,
    ).toBe(true);
    expect(
      parseSubscriptionSpec({ destination: { endpointType: 'ServiceBusTopic', topicName: 'audit/events' } })
        .ok,
    ).toBe(true);
  });

  it('ignores the read-only fields a GET returns, and enableAdvancedFilteringOnArrays', () => {
    const result = parseSubscriptionSpec({
      name: 'orders',
      topic: 'shop',
      status: 'active',
      createdAt: '2026-01-01T00:00:00Z',
      destination: webhook,
      filter: { enableAdvancedFilteringOnArrays: true },
    });
    expect(result).toEqual({ ok: true, spec: expect.objectContaining({ filter: {} }) });
  });
});

describe('subscription body: errors name the field', () => {
  it('rejects a body that is not an object', () => {
    expect(fieldsOf(null)).toEqual(['body']);
    expect(fieldsOf([])).toEqual(['body']);
  });

  it('requires a destination with a known endpointType', () => {
    expect(errorsOf({})).toEqual([{ field: 'destination', message: 'destination is required' }]);
    expect(fieldsOf({ destination: { endpointType: 'EventHub' } })).toEqual(['destination.endpointType']);
  });

  it('rejects unknown fields (a misspelt filter must not subscribe to everything)', () => {
    expect(errorsOf({ destination: webhook, fliter: {} })).toEqual([
      { field: 'fliter', message: 'unknown field' },
    ]);
    expect(fieldsOf({ destination: webhook, filter: { subjectStartsWith: '/a' } })).toEqual([
      'filter.subjectStartsWith',
    ]);
  });

  it.each([
    ['relative', '/hooks'],
    ['ftp', 'ftp://receiver.example/hooks'],
    ['with credentials', 'https://user:pass@receiver.example/hooks'],
    ['not a URL', 'receiver'],
  ])('rejects an endpointUrl that is %s', (_kind, endpointUrl) => {
    expect(fieldsOf({ destination: { ...webhook, endpointUrl } })).toEqual(['destination.endpointUrl']);
  });

  it('accepts plain http endpoints (local development)', () => {
    expect(
      parseSubscriptionSpec({ destination: { ...webhook, endpointUrl: 'http://127.0.0.1:7080/hook' } }).ok,
    ).toBe(true);
  });

  it('validates custom headers: names, reserved names, duplicates, count, values', () => {
    const headers = {
      'webhook-signature': 'x',
      'Content-Type': 'text/plain',
      Host: 'evil.example',
      'ce-type': 'x',
      'bad name': 'x',
      'X-Api-Key': 'k',
      'x-api-key': 'k2',
      'X-Multi': 'a\r\nInjected: yes',
    };
    const errors = errorsOf({ destination: { ...webhook, headers } });
    expect(errors.map((e) => e.field).sort()).toEqual(
      [
        'destination.headers.webhook-signature',
        'destination.headers.Content-Type',
        'destination.headers.Host',
        'destination.headers.ce-type',
        'destination.headers.bad name',
        'destination.headers.x-api-key',
        'destination.headers.X-Multi',
      ].sort(),
    );
    expect(JSON.stringify(errors)).not.toContain('Injected');
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`x-h${i}`, 'v']));
    expect(errorsOf({ destination: { ...webhook, headers: eleven } })).toEqual([
      { field: 'destination.headers', message: 'at most 10 custom headers' },
    ]);
  });

  it("validates Service Bus entity names and refuses Switchyard's own queues", () => {
    expect(fieldsOf({ destination: { endpointType: 'ServiceBusQueue', queueName: '-bad' } })).toEqual([
      'destination.queueName',
    ]);
    expect(fieldsOf({ destination: { endpointType: 'ServiceBusQueue', queueName: 'Ingress' } })).toEqual([
      'destination.queueName',
    ]);
    expect(
      fieldsOf({ destination: { endpointType: 'ServiceBusTopic', topicName: 'a'.repeat(261) } }),
    ).toEqual(['destination.topicName']);
    expect(fieldsOf({ destination: { endpointType: 'ServiceBusTopic', queueName: 'x' } })).toEqual(
      expect.arrayContaining(['destination.topicName', 'destination.queueName']),
    );
  });

  it.each([
    [{ maxDeliveryAttempts: 0 }, 'retryPolicy.maxDeliveryAttempts'],
    [{ maxDeliveryAttempts: 31 }, 'retryPolicy.maxDeliveryAttempts'],
    [{ maxDeliveryAttempts: 2.5 }, 'retryPolicy.maxDeliveryAttempts'],
    [{ eventTimeToLiveInMinutes: 1441 }, 'retryPolicy.eventTimeToLiveInMinutes'],
    [{ eventTimeToLiveInMinutes: '60' }, 'retryPolicy.eventTimeToLiveInMinutes'],
    [{ schedule: [] }, 'retryPolicy.schedule'],
    [{ schedule: Array.from({ length: 21 }, () => 1) }, 'retryPolicy.schedule'],
    [{ schedule: [1, 0, 5] }, 'retryPolicy.schedule[1]'],
    [{ schedule: [1, -5] }, 'retryPolicy.schedule[1]'],
    [{ backoff: 'linear' }, 'retryPolicy.backoff'],
  ])('rejects retryPolicy %j at %s', (retryPolicy, field) => {
    expect(fieldsOf({ destination: webhook, retryPolicy })).toEqual([field]);
  });

  it('rejects empty event types', () => {
    expect(fieldsOf({ destination: webhook, filter: { includedEventTypes: ['a', ''] } })).toEqual([
      'filter.includedEventTypes[1]',
    ]);
  });
});

describe('subscription body: advanced filters', () => {
  it('checks the operand shape of each operator', () => {
    const filters = [
      { operatorType: 'NumberGreaterThan', key: 'data.total', value: '100' },
      { operatorType: 'NumberIn', key: 'data.n', values: [1, 'two'] },
      { operatorType: 'NumberInRange', key: 'data.n', values: [[5, 1]] },
      { operatorType: 'NumberNotInRange', key: 'data.n', values: [3] },
      { operatorType: 'BoolEquals', key: 'data.ok', value: 'true' },
      { operatorType: 'StringIn', key: 'data.s', values: [] },
      { operatorType: 'StringContains', key: 'data.s', value: 'x' },
      { operatorType: 'IsNotNull', key: 'data.s', value: true },
      { operatorType: 'StringNotIn', key: 'data.s', values: ['x'.repeat(513)] },
      { operatorType: 'StringNotIn', key: '', values: ['x'] },
      { operatorType: 'StringNotIn', key: 'data..a', values: ['x'] },
      { operatorType: 'NumberLessThan', key: 'data.n', value: 1, values: [2] },
      { operatorType: 'Regex', key: 'data.s', values: ['x'] },
    ];
    const fields = fieldsOf(filterWith(filters));
    expect(fields).toEqual(
      expect.arrayContaining([
        'filter.advancedFilters[0].value',
        'filter.advancedFilters[1].values[1]',
        'filter.advancedFilters[2].values[0]',
        'filter.advancedFilters[3].values[0]',
        'filter.advancedFilters[4].value',
        'filter.advancedFilters[5].values',
        'filter.advancedFilters[6].value',
        'filter.advancedFilters[7].value',
        'filter.advancedFilters[8].values[0]',
        'filter.advancedFilters[9].key',
        'filter.advancedFilters[10].key',
        'filter.advancedFilters[11].values',
        'filter.advancedFilters[12].operatorType',
      ]),
    );
  });

  it('accepts every operator in its Event Grid shape', () => {
    const filters = [
      { operatorType: 'NumberIn', key: 'data.n', values: [1] },
      { operatorType: 'NumberNotIn', key: 'data.n', values: [1] },
      { operatorType: 'NumberLessThan', key: 'data.n', value: 1 },
      { operatorType: 'NumberGreaterThan', key: 'data.n', value: 1 },
      { operatorType: 'NumberLessThanOrEquals', key: 'data.n', value: 1 },
      { operatorType: 'NumberGreaterThanOrEquals', key: 'data.n', value: 1 },
      { operatorType: 'NumberInRange', key: 'data.n', values: [[1, 2]] },
      { operatorType: 'NumberNotInRange', key: 'data.n', values: [[1, 1]] },
      { operatorType: 'BoolEquals', key: 'data.b', value: false },
      { operatorType: 'StringContains', key: 'subject', values: ['a'] },
      { operatorType: 'StringNotContains', key: 'source', values: ['a'] },
      { operatorType: 'StringBeginsWith', key: 'type', values: ['a'] },
      { operatorType: 'StringNotBeginsWith', key: 'id', values: ['a'] },
      { operatorType: 'StringEndsWith', key: 'tenant', values: ['a'] },
      { operatorType: 'StringNotEndsWith', key: 'Data.A', values: ['a'] },
      { operatorType: 'StringIn', key: 'data', values: ['a'] },
      { operatorType: 'StringNotIn', key: 'data.a.b.c', values: ['a'] },
      { operatorType: 'IsNullOrUndefined', key: 'data.x' },
      { operatorType: 'IsNotNull', key: 'data.x' },
    ];
    const result = parseSubscriptionSpec(filterWith(filters));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.spec.filter.advancedFilters).toEqual(filters);
  });

  it('allows 25 advanced filters, not 26', () => {
    const filter = { operatorType: 'IsNotNull', key: 'data.x' };
    expect(parseSubscriptionSpec(filterWith(Array.from({ length: 25 }, () => filter))).ok).toBe(true);
    expect(errorsOf(filterWith(Array.from({ length: 26 }, () => filter)))).toEqual([
      { field: 'filter.advancedFilters', message: 'at most 25 advanced filters per subscription' },
    ]);
  });

  it('allows 25 filter values across all filters, as Event Grid', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i);
    const ok = [
      { operatorType: 'NumberIn', key: 'data.n', values: values(24) },
      { operatorType: 'NumberGreaterThan', key: 'data.m', value: 1 },
    ];
    expect(parseSubscriptionSpec(filterWith(ok)).ok).toBe(true);
    const tooMany = [
      { operatorType: 'NumberIn', key: 'data.n', values: values(20) },
      { operatorType: 'NumberNotIn', key: 'data.m', values: values(6) },
    ];
    expect(errorsOf(filterWith(tooMany))).toEqual([
      {
        field: 'filter.advancedFilters',
        message: 'at most 25 filter values across all advanced filters (got 26)',
      },
    ]);
    expect(fieldsOf(filterWith([{ operatorType: 'NumberIn', key: 'data.n', values: values(26) }]))).toContain(
      'filter.advancedFilters[0].values',
    );
  });
});

describe('parseSubscriptionSpecOrThrow', () => {
  it('throws a 400 problem naming the fields', () => {
    try {
      parseSubscriptionSpecOrThrow({ destination: { ...webhook, endpointUrl: 'nope' } });
      throw new Error('expected a problem');
    } catch (error) {
      expect(error instanceof ProblemError).toBe(true);
      if (error instanceof ProblemError) {
        expect(error.problem.status).toBe(400);
        expect(error.problem.errors).toEqual([
          { field: 'destination.endpointUrl', message: 'endpointUrl must be an absolute http or https URL' },
        ]);
      }
    }
  });
});
