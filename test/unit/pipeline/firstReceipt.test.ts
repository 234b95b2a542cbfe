import type { DeliveryMessage } from '../../../shared/domain/types';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import { fakeDeliver } from './fakeDeliver';

const first: DeliveryMessage = {
  deliveryId: 'dlv_first',
  eventKey: 'event-1',
  topic: 'orders',
  subscription: 'hook',
  attempt: 1,
  firstAttemptAt: '2026-01-01T00:59:00Z',
  event: { specversion: '1.0', id: 'e1', source: '/s', type: 't' },
};

describe('the delivery record read before an attempt', () => {
  function counting(firstReceipt: boolean) {
    const fake = fakeDeliver({ webhookStatus: () => 200 });
    const dependencies = fake.dependencies(firstReceipt);
    let reads = 0;
    const getDelivery = dependencies.getDelivery.bind(dependencies);
    dependencies.getDelivery = async (...args) => {
      reads += 1;
      return getDelivery(...args);
    };
    return { fake, dependencies, reads: () => reads };
  }

  it('is skipped for a first attempt that Service Bus hands over for the first time', async () => {
    const { fake, dependencies, reads } = counting(true);
    const result = await deliverAttempt(dependencies, first);
    expect(result.kind).toBe('attempted');
    expect(reads()).toBe(0);
    expect(fake.deliveries.get('dlv_first')?.status).toBe('succeeded');
  });

  it('is made for a redelivered message, a later attempt, a redrive and a republished event', async () => {
    for (const [firstReceipt, message] of [
      [false, first],
      [true, { ...first, attempt: 2 }],
      [true, { ...first, attempt: 4, firstAttemptNumber: 4 }],
      [true, { ...first, firstAttemptNumber: 1 }],
    ] as const) {
      const { dependencies, reads } = counting(firstReceipt);
      await deliverAttempt(dependencies, message);
      expect(reads()).toBe(1);
    }
  });
});
