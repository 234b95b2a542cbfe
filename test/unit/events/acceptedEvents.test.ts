import { toAcceptedEventsBody } from '../../../shared/events/acceptedEvents';
import { eventKey } from '../../../shared/events/eventKey';
import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { batchRequest, validEvent } from './eventRequests';

describe('toAcceptedEventsBody', () => {
  it('lists id, source and event key of each accepted event in request order', () => {
    const parsed = fromHttpRequest(
      batchRequest([validEvent({ id: 'b' }), validEvent({ id: 'a', source: '/x' })]),
    );
    const body = toAcceptedEventsBody(
      'orders',
      parsed.events.map((p) => p.event),
    );
    expect(body).toEqual({
      accepted: [
        {
          id: 'b',
          source: 'https://shop.example.com/orders',
          eventKey: eventKey('orders', 'https://shop.example.com/orders', 'b'),
        },
        { id: 'a', source: '/x', eventKey: eventKey('orders', '/x', 'a') },
      ],
    });
  });
});
