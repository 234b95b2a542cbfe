import { eventKey } from '../../../shared/events/eventKey';
import { toIngressMessage } from '../../../shared/events/toIngressMessage';
import type { CloudEventJson } from '../../../shared/domain/types';

const event: CloudEventJson = {
  specversion: '1.0',
  id: 'A-1',
  source: '/shop',
  type: 'order.created',
  data: { total: 'ünïcode' },
};

describe('toIngressMessage', () => {
  it('sends the event in structured mode with the event key as messageId', () => {
    const message = toIngressMessage('orders', event, {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(message.messageId).toBe(eventKey('orders', '/shop', 'A-1'));
    expect(message.contentType).toBe('application/cloudevents+json');
    expect(JSON.parse(message.body.toString('utf8'))).toEqual(event);
    expect(message.applicationProperties).toEqual({
      topic: 'orders',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
  });

  it('gives the same messageId to a re-publish, so duplicate detection drops it', () => {
    const again = { ...event, data: { total: 'changed' } };
    expect(toIngressMessage('orders', again).messageId).toBe(toIngressMessage('orders', event).messageId);
    expect(toIngressMessage('other', event).messageId).not.toBe(toIngressMessage('orders', event).messageId);
  });

  it('has a body whose length is the UTF-8 size of the event', () => {
    const message = toIngressMessage('orders', event);
    expect(message.body.length).toBe(Buffer.byteLength(JSON.stringify(event)));
    expect(message.applicationProperties).toEqual({ topic: 'orders' });
  });
});
