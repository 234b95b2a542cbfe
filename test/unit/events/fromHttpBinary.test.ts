import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { binaryRequest, fieldsOf, problemOf } from './eventRequests';

function onlyEvent(request: Parameters<typeof fromHttpRequest>[0]) {
  const parsed = fromHttpRequest(request);
  expect(parsed.mode).toBe('binary');
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0]!.event;
}

describe('fromHttpRequest, binary mode', () => {
  it('maps ce-* headers to attributes and parses a JSON body as data', () => {
    const event = onlyEvent(
      binaryRequest(
        { 'content-type': 'application/json; charset=utf-8', 'ce-subject': 'room/1', 'ce-Tenant': 'contoso' },
        '{"celsius":21.5}',
      ),
    );
    expect(event).toEqual({
      specversion: '1.0',
      id: 'B-1',
      source: '/sensors/7',
      type: 'com.example.reading',
      subject: 'room/1',
      datacontenttype: 'application/json; charset=utf-8',
      tenant: 'contoso',
      data: { celsius: 21.5 },
    });
  });

  it('keeps a text body as a string and a +json body as JSON', () => {
    expect(onlyEvent(binaryRequest({ 'content-type': 'text/plain' }, 'hello')).data).toBe('hello');
    expect(onlyEvent(binaryRequest({ 'content-type': 'application/vnd.x+json' }, '[1,2]')).data).toEqual([
      1, 2,
    ]);
  });

  it('keeps a binary body byte-exact as data_base64', () => {
    const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
    const event = onlyEvent(binaryRequest({ 'content-type': 'application/octet-stream' }, bytes));
    expect(event.data).toBeUndefined();
    expect(Buffer.from(event.data_base64 as string, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('falls back to base64 for a text type whose body is not UTF-8', () => {
    const event = onlyEvent(binaryRequest({ 'content-type': 'text/plain' }, Uint8Array.from([0xc3, 0x28])));
    expect(event.data_base64).toBe(Buffer.from([0xc3, 0x28]).toString('base64'));
  });

  it('has no data when the body is empty', () => {
    const event = onlyEvent(binaryRequest({}));
    expect(event).not.toHaveProperty('data');
    expect(event).not.toHaveProperty('data_base64');
  });

  it('percent-decodes header values', () => {
    const event = onlyEvent(binaryRequest({ 'ce-subject': 'caf%C3%A9 %22quoted%22 100%25' }));
    expect(event.subject).toBe('café "quoted" 100%');
  });

  it('ignores ce-* headers when the request is structured', () => {
    const request = binaryRequest({ 'content-type': 'application/cloudevents+json', 'ce-id': 'from-header' });
    request.body = JSON.stringify({ specversion: '1.0', id: 'from-body', source: '/s', type: 't' });
    expect(fromHttpRequest(request).events[0]?.event.id).toBe('from-body');
  });

  const badHeaders: Array<[string, Record<string, string | undefined>, string | undefined, string]> = [
    ['ce-specversion 0.3', { 'ce-specversion': '0.3' }, undefined, 'ce-specversion'],
    ['no ce-id', { 'ce-id': undefined }, undefined, 'ce-id'],
    ['no ce-source', { 'ce-source': undefined }, undefined, 'ce-source'],
    ['no ce-type', { 'ce-type': undefined }, undefined, 'ce-type'],
    ['a ce-source that is not a URI-reference', { 'ce-source': 'a b%20' }, undefined, 'ce-source'],
    ['a ce-time that is not RFC 3339', { 'ce-time': 'yesterday' }, undefined, 'ce-time'],
    ['a relative ce-dataschema', { 'ce-dataschema': 'schemas/x' }, undefined, 'ce-dataschema'],
    ['bad percent-encoding', { 'ce-subject': '100%' }, undefined, 'ce-subject'],
    ['an extension name with an underscore', { 'ce-my_ext': 'x' }, undefined, 'ce-my_ext'],
    ['a ce-data header', { 'ce-data': '{}' }, undefined, 'ce-data'],
    ['a malformed content type', { 'content-type': 'json' }, '{}', 'content-type'],
    ['a JSON content type with a non-JSON body', { 'content-type': 'application/json' }, '{oops', 'body'],
  ];

  it.each(badHeaders)('rejects %s with 400 naming the header', (_, headers, body, field) => {
    const problem = problemOf(() => fromHttpRequest(binaryRequest(headers, body)));
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem)).toEqual([field]);
  });
});
