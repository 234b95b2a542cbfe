import type { ServiceBusMessage } from '@azure/service-bus';
import { ProblemError } from '../../../shared/http/problem';
import {
  type IngressDeadLetter,
  redriveIngressDeadLetters,
} from '../../../shared/management/ingressDeadLetters';
import { originalOf } from '../../../shared/pipeline/ingressDeadLetter';
import { rejectedIngressMessage } from '../../../shared/pipeline/rejectedIngress';

const NOW = new Date('2026-01-01T00:00:00Z');

function deadLetterWithOriginal(body: Buffer): unknown {
  const input = {
    body,
    contentType: 'application/cloudevents+json',
    applicationProperties: { topic: 'orders' },
  };
  return rejectedIngressMessage(
    { reason: 'MaxDeliveryCountExceeded', description: 'route failed' },
    input,
    NOW,
    originalOf({ ...input, messageId: 'key1' }),
  ).body;
}

function fakeSession(deadLetters: IngressDeadLetter[]) {
  const sent: ServiceBusMessage[] = [];
  const kept: IngressDeadLetter[] = [];
  return {
    sent,
    kept,
    dependencies: {
      peekRejectedIngress: () => Promise.reject(new Error('redrive must not page the session')),
      async drainIngressDeadLetters(
        max: number,
        handle: (d: IngressDeadLetter) => Promise<'redriven' | 'kept'>,
      ) {
        const result = { redriven: 0, kept: 0 };
        for (const deadLetter of deadLetters.splice(0, max)) {
          const outcome = await handle(deadLetter);
          result[outcome] += 1;
          if (outcome === 'kept') kept.push(deadLetter);
        }
        return result;
      },
      sendIngress: async (message: ServiceBusMessage) => void sent.push(message),
    },
  };
}

describe('ingress redrive', () => {
  it('sends the original back byte for byte, with a new messageId fixed per dead letter', async () => {
    const body = Buffer.from([0xff, 0x00, 0x7b]);
    const session = fakeSession([{ body: deadLetterWithOriginal(body), sequenceNumber: '42' }]);
    const response = await redriveIngressDeadLetters(session.dependencies, { body: undefined });
    expect(response).toMatchObject({ status: 202, body: { redriven: 1, kept: 0 } });
    expect(session.sent).toEqual([
      {
        body,
        messageId: 'ingress-redrive-42',
        contentType: 'application/cloudevents+json',
        applicationProperties: { topic: 'orders' },
      },
    ]);
  });

  it('keeps messages rejected as no valid event, which carry no original', async () => {
    const rejected = rejectedIngressMessage(
      { reason: 'InvalidEvent', description: 'no id' },
      { body: '{}' },
      NOW,
    ).body;
    const session = fakeSession([
      { body: rejected, sequenceNumber: '1' },
      { body: Buffer.from('not json'), sequenceNumber: '2' },
      { body: deadLetterWithOriginal(Buffer.from('{}')), sequenceNumber: '3' },
    ]);
    const response = await redriveIngressDeadLetters(session.dependencies, { body: { max: 10 } });
    expect(response.body).toEqual({ redriven: 1, kept: 2 });
    expect(session.sent.map((message) => message.messageId)).toEqual(['ingress-redrive-3']);
  });

  it('takes at most max, and refuses a bad max', async () => {
    const session = fakeSession(
      ['1', '2', '3'].map((n) => ({ body: deadLetterWithOriginal(Buffer.from('{}')), sequenceNumber: n })),
    );
    expect((await redriveIngressDeadLetters(session.dependencies, { body: { max: 2 } })).body).toEqual({
      redriven: 2,
      kept: 0,
    });
    await expect(
      redriveIngressDeadLetters(session.dependencies, { body: { max: 0 } }),
    ).rejects.toBeInstanceOf(ProblemError);
    await expect(
      redriveIngressDeadLetters(session.dependencies, { body: { max: 1, extra: true } }),
    ).rejects.toBeInstanceOf(ProblemError);
  });
});
