import type { ServiceBusMessage } from '@azure/service-bus';
import { createSystemEventSink, systemEventId } from '../../../shared/system/systemEventSink';
import { SYSTEM_TOPIC, type SystemEvent } from '../../../shared/system/systemEvents';

function sinkWithQueue() {
  const sent: ServiceBusMessage[] = [];
  const suppressed: SystemEvent[] = [];
  const sink = createSystemEventSink({
    sendIngress: async (messages) => void sent.push(...messages),
    suppressed: (event) => void suppressed.push(event),
    now: () => new Date('2026-03-01T00:00:00Z'),
  });
  return { sink, sent, suppressed };
}

const rotated: SystemEvent = {
  type: 'subscription.secretRotated',
  topic: 'orders',
  subscription: 'billing',
  data: { rotatedAt: '2026-03-01T00:00:00Z', overlapSeconds: 60 },
};

describe('createSystemEventSink', () => {
  it('sends a CloudEvent on topic switchyard.system to ingress, as publish does', async () => {
    const { sink, sent } = sinkWithQueue();
    await sink.emit(rotated);
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message?.applicationProperties).toMatchObject({ topic: SYSTEM_TOPIC });
    expect(JSON.parse((message?.body as Buffer).toString('utf8'))).toMatchObject({
      specversion: '1.0',
      id: systemEventId(rotated),
      source: '/switchyard',
      type: 'switchyard.subscription.secretRotated',
      subject: 'topics/orders/subscriptions/billing',
      time: '2026-03-01T00:00:00.000Z',
      data: {
        topic: 'orders',
        subscription: 'billing',
        rotatedAt: '2026-03-01T00:00:00Z',
        overlapSeconds: 60,
      },
    });
  });

  it('gives a retried emit the same event id and messageId, so duplicate detection drops the copy', async () => {
    const { sink, sent } = sinkWithQueue();
    await sink.emit(rotated);
    await sink.emit({ ...rotated, data: { overlapSeconds: 60, rotatedAt: '2026-03-01T00:00:00Z' } });
    expect(sent[0]?.messageId).toBe(sent[1]?.messageId);
    await sink.emit({ ...rotated, data: { ...rotated.data, rotatedAt: '2026-03-02T00:00:00Z' } });
    expect(sent[2]?.messageId).not.toBe(sent[0]?.messageId);
  });

  it('publishes nothing about a subscription of switchyard.system itself (loop guard), only reports it', async () => {
    const { sink, sent, suppressed } = sinkWithQueue();
    const aboutItself: SystemEvent = {
      type: 'delivery.deadLettered',
      topic: SYSTEM_TOPIC,
      subscription: 'owners',
      data: { deliveryId: 'd1', attempt: 1 },
    };
    await sink.emit(aboutItself);
    expect(sent).toEqual([]);
    expect(suppressed).toEqual([aboutItself]);
  });

  it('rejects when ingress cannot take the event (the caller decides: re-run or log)', async () => {
    const sink = createSystemEventSink({
      sendIngress: async () => {
        throw new Error('Service Bus unavailable');
      },
      suppressed: () => undefined,
      now: () => new Date(),
    });
    await expect(sink.emit(rotated)).rejects.toThrow('Service Bus unavailable');
  });
});
