import { ProblemError } from '../../../shared/http/problem';
import { resolveKeptHeaders, subscriptionView } from '../../../shared/management/subscriptions';
import type { Destination, SubscriptionRecord } from '../../../shared/domain/types';
import { parseSubscriptionSpec } from '../../../shared/subscriptions/subscriptionSpecSchema';

const stored: Destination = {
  endpointType: 'WebHook',
  endpointUrl: 'https://hooks.example/orders',
  headers: { Authorization: 'Bearer stored-secret', 'X-Tenant': 'acme' },
};

function fieldErrorsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return (error as ProblemError).problem.errors;
  }
  throw new Error('expected a 400');
}

describe('webhook header values are write-only', () => {
  it('shows header names with a null (masked) value, never the value', () => {
    const record: SubscriptionRecord = {
      id: 'audit',
      topic: 'orders',
      name: 'audit',
      status: 'active',
      signingSecret: 'whsec_x',
      createdAt: 't',
      updatedAt: 't',
      destination: stored,
      filter: {},
      retryPolicy: { maxDeliveryAttempts: 3, eventTimeToLiveInMinutes: 60 },
    };
    const view = subscriptionView(record);
    expect(view.destination).toEqual({ ...stored, headers: { Authorization: null, 'X-Tenant': null } });
    expect(JSON.stringify(view)).not.toContain('stored-secret');
    expect(JSON.stringify(view)).not.toContain('whsec_x');
  });

  it('accepts null as a header value in a PUT body', () => {
    const parsed = parseSubscriptionSpec({ destination: { ...stored, headers: { Authorization: null } } });
    expect(parsed.ok).toBe(true);
    const wrongType = parseSubscriptionSpec({ destination: { ...stored, headers: { Authorization: 5 } } });
    expect(wrongType).toMatchObject({ ok: false, errors: [{ field: 'destination.headers.Authorization' }] });
  });

  it('keeps the stored value for null (names compared case-insensitively), replaces and drops the rest', () => {
    const resolved = resolveKeptHeaders(
      {
        endpointType: 'WebHook',
        endpointUrl: 'https://hooks.example/v2/orders',
        headers: { authorization: null, 'X-Region': 'eu' },
      },
      stored,
    );
    expect(resolved).toEqual({
      endpointType: 'WebHook',
      endpointUrl: 'https://hooks.example/v2/orders',
      headers: { authorization: 'Bearer stored-secret', 'X-Region': 'eu' },
    });
  });

  it('refuses null when nothing is stored for that header, naming it', () => {
    expect(
      fieldErrorsOf(() =>
        resolveKeptHeaders(
          {
            endpointType: 'WebHook',
            endpointUrl: stored.endpointType === 'WebHook' ? stored.endpointUrl : '',
            headers: { 'X-Other': null },
          },
          stored,
        ),
      ),
    ).toEqual([{ field: 'destination.headers.X-Other', message: expect.stringContaining('none is stored') }]);
    expect(
      fieldErrorsOf(() =>
        resolveKeptHeaders(
          { endpointType: 'WebHook', endpointUrl: 'https://a.example/', headers: { A: null } },
          undefined,
        ),
      ),
    ).toHaveLength(1);
  });

  it.each([
    'https://attacker.example/orders',
    'http://hooks.example/orders',
    'https://hooks.example:8443/orders',
  ])('does not let a kept value follow the endpoint to another origin (%s)', (endpointUrl) => {
    expect(
      fieldErrorsOf(() =>
        resolveKeptHeaders(
          { endpointType: 'WebHook', endpointUrl, headers: { Authorization: null } },
          stored,
        ),
      ),
    ).toEqual([
      {
        field: 'destination.headers.Authorization',
        message: expect.stringContaining('same endpoint origin'),
      },
    ]);
    // With the value sent again, the move is fine.
    expect(
      resolveKeptHeaders(
        { endpointType: 'WebHook', endpointUrl, headers: { Authorization: 'Bearer new' } },
        stored,
      ),
    ).toMatchObject({
      headers: { Authorization: 'Bearer new' },
    });
  });
});
