import type { DeliveryMessage } from '../../../shared/domain/types';
import { eventKey } from '../../../shared/events/eventKey';
import { payloadBlobName, type StoredPayload } from '../../../shared/payloads/claimCheck';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import { fakeDeliver } from './fakeDeliver';

/** The payload container: topic-v's large event, stored by publish with its owner. */
const victimKey = eventKey('topic-v', '/victim', 'v-1');
const victimRef = payloadBlobName(victimKey);
const ordersKey = eventKey('orders', '/shop', 'big-1');
const ordersRef = payloadBlobName(ordersKey);
const payloads = new Map<string, StoredPayload>([
  [
    victimRef,
    {
      json: JSON.stringify({ specversion: '1.0', id: 'v-1', source: '/victim', type: 'secret' }),
      owner: { topic: 'topic-v', eventKey: victimKey },
    },
  ],
  [
    ordersRef,
    {
      json: JSON.stringify({ specversion: '1.0', id: 'big-1', source: '/shop', type: 'order.created' }),
      owner: { topic: 'orders', eventKey: ordersKey },
    },
  ],
]);

function delivery(overrides: Partial<DeliveryMessage>): DeliveryMessage {
  return {
    deliveryId: 'dlv_1',
    eventKey: ordersKey,
    topic: 'orders',
    subscription: 'hook',
    attempt: 1,
    firstAttemptAt: '2026-01-01T00:59:00Z',
    payloadRef: ordersRef,
    ...overrides,
  };
}

function deliverWith(message: DeliveryMessage) {
  const fake = fakeDeliver({ webhookStatus: () => 200 });
  const dependencies = { ...fake.dependencies(true), getPayload: async (ref: string) => payloads.get(ref) };
  return { fake, result: deliverAttempt(dependencies, message) };
}

describe('deliver and claim checks on the deliveries queue', () => {
  it('delivers the payload route wrote for this topic and event', async () => {
    const { fake, result } = deliverWith(delivery({}));
    expect(await result).toMatchObject({ kind: 'attempted', destinationCalled: true });
    expect(fake.posts).toEqual(['dlv_1']);
  });

  it.each([
    ["another topic's payload under this event key", { payloadRef: victimRef }],
    ["another topic's payload with its event key", { payloadRef: victimRef, eventKey: victimKey }],
    ['a path', { payloadRef: '../../x' }],
    [
      'a name with no blob',
      {
        payloadRef: payloadBlobName(eventKey('orders', '/shop', 'none')),
        eventKey: eventKey('orders', '/shop', 'none'),
      },
    ],
  ])('dead-letters a forged message naming %s, without calling the subscriber', async (_what, overrides) => {
    const { fake, result } = deliverWith(delivery(overrides));
    expect(await result).toMatchObject({
      kind: 'attempted',
      destinationCalled: false,
      decision: { kind: 'deadLetter', reason: 'InvalidClaimCheck' },
    });
    expect(fake.posts).toEqual([]);
    expect(fake.deadLetters).toEqual([expect.objectContaining({ reason: 'InvalidClaimCheck' })]);
  });
});
