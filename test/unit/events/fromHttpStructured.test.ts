import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { PROBLEM_TYPES } from '../../../shared/http/problems';
import { fieldsOf, problemOf, structuredRequest, validEvent } from './eventRequests';

describe('fromHttpRequest, structured mode', () => {
  it('accepts a full event and returns it with its size', () => {
    const parsed = fromHttpRequest(
      structuredRequest(validEvent({ tenant: 'contoso', priority: 3, urgent: true })),
    );
    expect(parsed.mode).toBe('structured');
    expect(parsed.events).toHaveLength(1);
    const [{ event, sizeBytes }] = parsed.events as [(typeof parsed.events)[0]];
    expect(event).toEqual(validEvent({ tenant: 'contoso', priority: 3, urgent: true }));
    expect(sizeBytes).toBe(Buffer.byteLength(JSON.stringify(event)));
  });

  it('accepts a minimal event, a charset parameter and a relative source', () => {
    const minimal = { specversion: '1.0', id: '1', source: '/a/b', type: 't' };
    const parsed = fromHttpRequest(structuredRequest(minimal, 'application/cloudevents+json; charset=UTF-8'));
    expect(parsed.events[0]?.event).toEqual(minimal);
  });

  it('treats null attributes as unset, as the JSON format requires', () => {
    const parsed = fromHttpRequest(structuredRequest(validEvent({ subject: null, data: null, ext: null })));
    const event = parsed.events[0]?.event;
    expect(event).not.toHaveProperty('subject');
    expect(event).not.toHaveProperty('data');
    expect(event).not.toHaveProperty('ext');
  });

  it('orders attributes canonically: context, extensions, data', () => {
    const parsed = fromHttpRequest(
      structuredRequest({ data: 1, zeta: 'z', type: 't', source: 's:x', id: 'i', specversion: '1.0' }),
    );
    expect(Object.keys(parsed.events[0]?.event ?? {})).toEqual([
      'specversion',
      'id',
      'source',
      'type',
      'zeta',
      'data',
    ]);
  });

  it('accepts data_base64 and lower-case RFC 3339 separators', () => {
    const parsed = fromHttpRequest(
      structuredRequest(
        validEvent({ data: undefined, data_base64: 'AAEC/w==', time: '2024-05-01t12:00:00.5+02:00' }),
      ),
    );
    expect(parsed.events[0]?.event.data_base64).toBe('AAEC/w==');
  });

  // Each row: a bad event, the status, and the attribute the problem must name.
  const badEvents: Array<[string, Record<string, unknown>, string]> = [
    ['specversion 0.3', validEvent({ specversion: '0.3' }), 'specversion'],
    ['specversion as a number', validEvent({ specversion: 1.0 }), 'specversion'],
    ['no specversion', validEvent({ specversion: undefined }), 'specversion'],
    ['no id', validEvent({ id: undefined }), 'id'],
    ['empty id', validEvent({ id: '' }), 'id'],
    ['numeric id', validEvent({ id: 42 }), 'id'],
    ['no source', validEvent({ source: undefined }), 'source'],
    ['source with a space', validEvent({ source: 'my source' }), 'source'],
    ['source with a bad scheme', validEvent({ source: '1http://x' }), 'source'],
    ['source with bad percent-encoding', validEvent({ source: '/a%zz' }), 'source'],
    ['no type', validEvent({ type: undefined }), 'type'],
    ['empty type', validEvent({ type: '' }), 'type'],
    ['time without a zone', validEvent({ time: '2024-05-01T12:00:00' }), 'time'],
    ['time that is a date only', validEvent({ time: '2024-05-01' }), 'time'],
    ['time on February 30th', validEvent({ time: '2024-02-30T00:00:00Z' }), 'time'],
    ['relative dataschema', validEvent({ dataschema: '/schemas/order' }), 'dataschema'],
    ['dataschema as an object', validEvent({ dataschema: { url: 'https://x' } }), 'dataschema'],
    ['datacontenttype without a subtype', validEvent({ datacontenttype: 'json' }), 'datacontenttype'],
    ['empty subject', validEvent({ subject: '' }), 'subject'],
    ['subject as a number', validEvent({ subject: 7 }), 'subject'],
    ['upper-case extension name', validEvent({ myExt: 'x' }), 'myExt'],
    ['extension name with a dash', validEvent({ 'my-ext': 'x' }), 'my-ext'],
    ['extension name over 20 chars', validEvent({ abcdefghijklmnopqrstu: 'x' }), 'abcdefghijklmnopqrstu'],
    ['object extension value', validEvent({ tenant: { id: 1 } }), 'tenant'],
    ['array extension value', validEvent({ tags: ['a'] }), 'tags'],
    ['fractional extension value', validEvent({ ratio: 0.5 }), 'ratio'],
    ['extension integer beyond 32 bits', validEvent({ big: 2 ** 31 }), 'big'],
    ['data and data_base64 together', validEvent({ data_base64: 'AA==' }), 'data_base64'],
    [
      'data_base64 that is not base64',
      validEvent({ data: undefined, data_base64: 'not base64!' }),
      'data_base64',
    ],
    ['data_base64 without padding', validEvent({ data: undefined, data_base64: 'AAE' }), 'data_base64'],
  ];

  it.each(badEvents)('rejects %s with 400 naming the attribute', (_, event, attribute) => {
    const problem = problemOf(() => fromHttpRequest(structuredRequest(event)));
    expect(problem.status).toBe(400);
    expect(problem.type).toBe(PROBLEM_TYPES.validation);
    expect(fieldsOf(problem)).toEqual([attribute]);
    expect(problem.detail).toContain(attribute);
  });

  it('reports every invalid attribute of one event, not only the first', () => {
    const problem = problemOf(() =>
      fromHttpRequest(structuredRequest(validEvent({ id: '', source: 'a b', Bad: 1 }))),
    );
    expect(fieldsOf(problem).sort()).toEqual(['Bad', 'id', 'source']);
  });

  it.each([
    ['not JSON', '{"specversion":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"event"'],
  ])('rejects a body that is %s with 400 naming body', (_, body) => {
    const problem = problemOf(() => fromHttpRequest(structuredRequest(body)));
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual(['body']);
  });

  it('does not echo the body in a JSON syntax error', () => {
    const problem = problemOf(() => fromHttpRequest(structuredRequest('{"secret": "hunter2"')));
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('rejects a body that is not UTF-8 with 400 naming body', () => {
    const request = structuredRequest('');
    request.body = Uint8Array.from([0x7b, 0xff, 0x7d]);
    const problem = problemOf(() => fromHttpRequest(request));
    expect([problem.status, fieldsOf(problem)]).toEqual([400, ['body']]);
  });

  it.each([
    ['application/json', 'application/json'],
    ['text/plain', 'text/plain'],
    ['cloudevents in another format', 'application/cloudevents+avro'],
    ['a non-UTF-8 charset', 'application/cloudevents+json; charset=iso-8859-1'],
    ['a malformed content type', 'cloudevents'],
  ])('rejects %s without ce-specversion with 415 naming content-type', (_, contentType) => {
    const problem = problemOf(() => fromHttpRequest(structuredRequest(validEvent(), contentType)));
    expect(problem.status).toBe(415);
    expect(fieldsOf(problem)).toEqual(['content-type']);
  });

  it('rejects a request without any content type with 415', () => {
    const problem = problemOf(() =>
      fromHttpRequest({ headers: new Headers(), body: JSON.stringify(validEvent()) }),
    );
    expect([problem.status, fieldsOf(problem)]).toEqual([415, ['content-type']]);
  });
});
