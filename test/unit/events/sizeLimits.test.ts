import { eventSizeBytes } from '../../../shared/events/eventSize';
import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { fromServiceBusMessage } from '../../../shared/events/fromServiceBusMessage';
import { MAX_EVENT_BYTES } from '../../../shared/events/limits';
import type { CloudEventJson } from '../../../shared/domain/types';
import { batchRequest, binaryRequest, fieldsOf, problemOf, structuredRequest } from './eventRequests';

/** An event whose compact JSON is exactly `bytes` long, padded through a string data. */
function eventOfSize(bytes: number, id = 'big'): CloudEventJson {
  const event: CloudEventJson = { specversion: '1.0', id, source: '/big', type: 't', data: '' };
  event.data = 'x'.repeat(bytes - eventSizeBytes(event));
  expect(eventSizeBytes(event)).toBe(bytes);
  return event;
}

describe('event size limits', () => {
  it('accepts an event of exactly 1 MB and rejects 1 MB + 1 byte with 413 naming the event', () => {
    const [atLimit] = fromHttpRequest(structuredRequest(eventOfSize(MAX_EVENT_BYTES))).events;
    expect(atLimit?.sizeBytes).toBe(1_048_576);
    const problem = problemOf(() => fromHttpRequest(structuredRequest(eventOfSize(MAX_EVENT_BYTES + 1))));
    expect([problem.status, fieldsOf(problem)]).toEqual([413, ['event']]);
    expect(problem.detail).toContain('1048577');
  });

  it('measures multi-byte characters in UTF-8 bytes, not in characters', () => {
    const event: CloudEventJson = {
      specversion: '1.0',
      id: '1',
      source: '/s',
      type: 't',
      data: 'é'.repeat(600_000),
    };
    expect(JSON.stringify(event).length).toBeLessThan(MAX_EVENT_BYTES);
    const problem = problemOf(() => fromHttpRequest(structuredRequest(event)));
    expect(problem.status).toBe(413);
  });

  it('names the oversized events of a batch by index', () => {
    const batch = [
      eventOfSize(100, 'a'),
      eventOfSize(MAX_EVENT_BYTES + 1, 'b'),
      eventOfSize(MAX_EVENT_BYTES, 'c'),
    ];
    const problem = problemOf(() => fromHttpRequest(batchRequest(batch)));
    expect([problem.status, fieldsOf(problem)]).toEqual([413, ['[1]']]);
  });

  it('counts a binary body as the base64 it becomes', () => {
    // 786,000 raw bytes are ~1,048,000 as base64: just under; 786,500 go over.
    const ok = fromHttpRequest(binaryRequest({ 'content-type': 'image/png' }, new Uint8Array(786_000)));
    expect(ok.events[0]?.sizeBytes).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    const problem = problemOf(() =>
      fromHttpRequest(binaryRequest({ 'content-type': 'image/png' }, new Uint8Array(786_500))),
    );
    expect([problem.status, fieldsOf(problem)]).toEqual([413, ['event']]);
  });

  it('rejects a request body over the request limit with 413 naming body, before parsing it', () => {
    const limits = { maxEventBytes: 100, maxBatchEvents: 10, maxRequestBytes: 1_000 };
    const problem = problemOf(() => fromHttpRequest(structuredRequest(`"${'x'.repeat(1_000)}"`), limits));
    expect([problem.status, fieldsOf(problem)]).toEqual([413, ['body']]);
  });

  it('rejects an oversized Service Bus event as EventTooLarge', () => {
    const accepted = fromServiceBusMessage({
      body: JSON.stringify(eventOfSize(MAX_EVENT_BYTES)),
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'orders' },
    });
    expect(accepted.ok).toBe(true);
    const result = fromServiceBusMessage({
      body: JSON.stringify(eventOfSize(MAX_EVENT_BYTES + 1)),
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'orders' },
    });
    expect(result.ok ? 'accepted' : result.rejection.reason).toBe('EventTooLarge');
  });
});
