import type { ServiceBusMessage } from '@azure/service-bus';
import { eventKey } from '../../../shared/events/eventKey';
import { CLAIM_CHECK_THRESHOLD_BYTES, payloadBlobName } from '../../../shared/payloads/claimCheck';
import { publishEvents } from '../../../shared/pipeline/publish';
import { routeIngressMessage } from '../../../shared/pipeline/route';
import { fakeRoute, subscription } from './fakeRoute';

/**
 * An event whose compact JSON is exactly `bytes` UTF-8 bytes, with multi-byte characters in its
 * data, so a rule that counted characters instead of bytes would decide differently.
 */
function eventOfSize(id: string, bytes: number): Record<string, unknown> {
  const event = { specversion: '1.0', id, source: '/size', type: 't', data: { text: '€'.repeat(1000) } };
  const missing = bytes - Buffer.byteLength(JSON.stringify(event), 'utf8');
  const padded = { ...event, data: { text: `${'€'.repeat(1000)}${'x'.repeat(missing)}` } };
  expect(Buffer.byteLength(JSON.stringify(padded), 'utf8')).toBe(bytes);
  return padded;
}

const headers = (contentType: string) => ({
  get: (name: string) => (name.toLowerCase() === 'content-type' ? contentType : null),
  entries: () => [['content-type', contentType]] as Array<[string, string]>,
});

describe('the claim-check threshold on the hot paths (sizes known, not measured again)', () => {
  it.each([
    ['at the threshold travels inline', CLAIM_CHECK_THRESHOLD_BYTES, false],
    ['one byte over travels by claim check', CLAIM_CHECK_THRESHOLD_BYTES + 1, true],
  ])('route: an event %s', async (_what, bytes, claimChecked) => {
    const fake = fakeRoute([subscription('topic-a', 'reader')]);
    const event = eventOfSize(`route-${bytes}`, bytes);
    const result = await routeIngressMessage(fake.dependencies, {
      body: event,
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'topic-a' },
    });
    expect(result).toMatchObject({ kind: 'routed', matched: ['reader'] });
    const key = eventKey('topic-a', '/size', `route-${bytes}`);
    const ref = payloadBlobName(key);
    if (claimChecked) {
      // The stored payload is the event's own JSON, byte for byte.
      expect(fake.payloads.get(ref)?.json).toBe(JSON.stringify(event));
      expect(fake.deliveries).toEqual([expect.objectContaining({ payloadRef: ref })]);
    } else {
      expect(fake.payloads.size).toBe(0);
      expect(fake.deliveries).toEqual([expect.objectContaining({ event })]);
    }
    expect(fake.events.get(key)?.sizeBytes).toBe(bytes);
  });

  it.each([
    ['at the threshold is sent inline', CLAIM_CHECK_THRESHOLD_BYTES, false],
    ['one byte over is stored and sent as a stub', CLAIM_CHECK_THRESHOLD_BYTES + 1, true],
  ])('publish: an event %s', async (_what, bytes, claimChecked) => {
    const event = eventOfSize(`publish-${bytes}`, bytes);
    const stored: Array<{ eventKey: string; json: string }> = [];
    const sent: ServiceBusMessage[] = [];
    await publishEvents(
      {
        sendIngress: async (messages) => {
          sent.push(...messages);
        },
        putPayload: async (owner, json) => {
          stored.push({ eventKey: owner.eventKey, json });
          return payloadBlobName(owner.eventKey);
        },
      },
      {
        topic: 'topic-a',
        request: { headers: headers('application/cloudevents+json'), body: JSON.stringify(event) },
      },
    );
    expect(sent).toHaveLength(1);
    const body = JSON.parse((sent[0]?.body as Buffer).toString('utf8')) as Record<string, unknown>;
    if (claimChecked) {
      expect(stored).toEqual([
        { eventKey: eventKey('topic-a', '/size', `publish-${bytes}`), json: JSON.stringify(event) },
      ]);
      expect(body.data).toBeUndefined();
      expect(sent[0]?.applicationProperties?.payloadRef).toBe(payloadBlobName(stored[0]?.eventKey ?? ''));
    } else {
      expect(stored).toEqual([]);
      expect(body).toEqual(event);
    }
  });
});
