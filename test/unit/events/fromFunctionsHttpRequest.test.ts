/**
 * The parsers against the real @azure/functions HttpRequest, the way the publish function calls
 * them: `{ headers: request.headers, body: await request.arrayBuffer() }`.
 */
import { HttpRequest } from '@azure/functions';

import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { problemOf, validEvent } from './eventRequests';

function functionsRequest(headers: Record<string, string>, body: string | Uint8Array): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: 'http://127.0.0.1/api/topics/orders/events',
    headers,
    body: typeof body === 'string' ? { string: body } : { bytes: body },
  });
}

describe('fromHttpRequest with an @azure/functions HttpRequest', () => {
  it('parses a structured event', async () => {
    const request = functionsRequest(
      { 'Content-Type': 'application/cloudevents+json; charset=utf-8' },
      JSON.stringify(validEvent()),
    );
    const parsed = fromHttpRequest({ headers: request.headers, body: await request.arrayBuffer() });
    expect(parsed.events[0]?.event).toEqual(validEvent());
  });

  it('parses a binary event from mixed-case ce- headers and a byte body', async () => {
    const request = functionsRequest(
      {
        'CE-SpecVersion': '1.0',
        'CE-ID': 'x-1',
        'Ce-Source': '/devices/9',
        'ce-type': 'reading',
        'ce-traceparent': '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'Content-Type': 'application/octet-stream',
      },
      Uint8Array.from([1, 2, 3]),
    );
    const parsed = fromHttpRequest({ headers: request.headers, body: await request.arrayBuffer() });
    expect(parsed.events[0]?.event).toEqual({
      specversion: '1.0',
      id: 'x-1',
      source: '/devices/9',
      type: 'reading',
      datacontenttype: 'application/octet-stream',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      data_base64: 'AQID',
    });
  });

  it('answers a plain JSON post with 415 naming content-type', async () => {
    const request = functionsRequest({ 'Content-Type': 'application/json' }, JSON.stringify(validEvent()));
    const body = await request.arrayBuffer();
    const problem = problemOf(() => fromHttpRequest({ headers: request.headers, body }));
    expect([problem.status, problem.errors?.[0]?.field]).toEqual([415, 'content-type']);
  });
});
