import { fromServiceBusMessage } from '../../../shared/events/fromServiceBusMessage';
import type {
  ServiceBusEventInput,
  ServiceBusEventResult,
} from '../../../shared/events/serviceBusEventInput';
import { toIngressMessage } from '../../../shared/events/toIngressMessage';
import type { CloudEventJson } from '../../../shared/domain/types';
import { validEvent } from './eventRequests';

const CE_JSON = 'application/cloudevents+json';

function accepted(result: ServiceBusEventResult) {
  if (!result.ok) throw new Error(`rejected: ${result.rejection.description}`);
  return result;
}

function rejection(result: ServiceBusEventResult) {
  if (result.ok) throw new Error('expected a rejection, but the message was accepted');
  return result.rejection;
}

function binaryMessage(
  properties: Record<string, string | number | boolean | Date | undefined>,
  body?: unknown,
  contentType?: string,
): ServiceBusEventInput {
  const all = {
    topic: 'orders',
    'cloudEvents:specversion': '1.0',
    'cloudEvents:id': 'sb-1',
    'cloudEvents:source': '/erp',
    'cloudEvents:type': 'order.shipped',
    ...properties,
  };
  const applicationProperties = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  return { body, applicationProperties, ...(contentType !== undefined ? { contentType } : {}) };
}

describe('fromServiceBusMessage, structured mode', () => {
  const event = validEvent();

  it.each([
    ['a string', JSON.stringify(event)],
    ['a Buffer', Buffer.from(JSON.stringify(event))],
    ['an ArrayBuffer', new TextEncoder().encode(JSON.stringify(event)).buffer],
    ['an object the SDK already parsed', event],
  ])('reads the event from a body that is %s', (_, body) => {
    const result = accepted(
      fromServiceBusMessage({ body, contentType: CE_JSON, applicationProperties: { topic: 'orders' } }),
    );
    expect(result).toMatchObject({ topic: 'orders', mode: 'structured', event });
    expect(result.sizeBytes).toBe(Buffer.byteLength(JSON.stringify(result.event)));
  });

  it('reads a JSON event without a content type (tools that do not set one)', () => {
    const result = fromServiceBusMessage({ body: event, applicationProperties: { topic: 'orders' } });
    expect(accepted(result).event.id).toBe(event.id);
  });

  it('reads back exactly what toIngressMessage sends', () => {
    const sent = toIngressMessage('orders', event as CloudEventJson, { traceparent: '00-abc-def-01' });
    const result = accepted(fromServiceBusMessage(sent));
    expect(result.event).toEqual(event);
    expect(result.topic).toBe('orders');
  });

  it.each([
    [
      'no topic property',
      { body: event, contentType: CE_JSON, applicationProperties: {} },
      'InvalidTopic',
      'topic',
    ],
    [
      'a topic with a slash',
      { body: event, contentType: CE_JSON, applicationProperties: { topic: 'a/b' } },
      'InvalidTopic',
      'topic',
    ],
    [
      'a body that is not JSON',
      { body: '{nope', contentType: CE_JSON, applicationProperties: { topic: 't' } },
      'InvalidEvent',
      'body',
    ],
    [
      'an event without source',
      {
        body: validEvent({ source: undefined }),
        contentType: CE_JSON,
        applicationProperties: { topic: 't' },
      },
      'InvalidEvent',
      'source',
    ],
    [
      'an event with an object extension',
      { body: validEvent({ region: { x: 1 } }), contentType: CE_JSON, applicationProperties: { topic: 't' } },
      'InvalidEvent',
      'region',
    ],
    [
      'a non-JSON event format',
      { body: event, contentType: 'application/cloudevents+avro', applicationProperties: { topic: 't' } },
      'UnsupportedFormat',
      'contentType',
    ],
    [
      'plain text that is not an event',
      { body: 'hello', contentType: 'text/plain', applicationProperties: { topic: 't' } },
      'UnsupportedFormat',
      'contentType',
    ],
    [
      'JSON without specversion or ce properties',
      { body: { orderId: 1 }, applicationProperties: { topic: 't' } },
      'UnsupportedFormat',
      'contentType',
    ],
  ])('rejects %s with the reason and field it names', (_, input, reason, field) => {
    const result = rejection(fromServiceBusMessage(input));
    expect(result.reason).toBe(reason);
    expect(result.errors.map((e) => e.field)).toEqual([field]);
    expect(result.description).toContain(field);
  });
});

describe('fromServiceBusMessage, binary mode', () => {
  it('maps cloudEvents: properties to attributes and contentType to datacontenttype', () => {
    const time = new Date('2024-05-01T12:00:00.000Z');
    const result = accepted(
      fromServiceBusMessage(
        binaryMessage(
          {
            'cloudEvents:time': time,
            'cloudEvents:priority': 5,
            'cloudEvents:urgent': true,
            other: 'ignored',
          },
          Buffer.from('{"parcel":"P-9"}'),
          'application/json',
        ),
      ),
    );
    expect(result.mode).toBe('binary');
    expect(result.event).toEqual({
      specversion: '1.0',
      id: 'sb-1',
      source: '/erp',
      type: 'order.shipped',
      time: '2024-05-01T12:00:00.000Z',
      datacontenttype: 'application/json',
      priority: 5,
      urgent: true,
      data: { parcel: 'P-9' },
    });
  });

  it('accepts the cloudEvents_ prefix', () => {
    const result = accepted(
      fromServiceBusMessage({
        body: 'plain text',
        applicationProperties: {
          topic: 't',
          cloudEvents_specversion: '1.0',
          cloudEvents_id: 'x',
          cloudEvents_source: 'urn:x',
          cloudEvents_type: 'y',
        },
      }),
    );
    expect(result.event).toMatchObject({ id: 'x', source: 'urn:x', data: 'plain text' });
  });

  it('keeps a body already decoded by the SDK as data, and binary bytes as data_base64', () => {
    expect(
      accepted(fromServiceBusMessage(binaryMessage({}, { a: 1 }, 'application/json'))).event.data,
    ).toEqual({ a: 1 });
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const event = accepted(fromServiceBusMessage(binaryMessage({}, bytes, 'application/octet-stream'))).event;
    expect(event.data_base64).toBe(bytes.toString('base64'));
  });

  it('prefers binary mode over a JSON body when cloudEvents:specversion is set', () => {
    const body = { specversion: '1.0', id: 'from-body', source: '/b', type: 'b' };
    expect(accepted(fromServiceBusMessage(binaryMessage({}, body))).event).toMatchObject({
      id: 'sb-1',
      data: body,
    });
  });

  it.each([
    ['a missing id', { 'cloudEvents:id': undefined }, 'cloudEvents:id'],
    ['a numeric id', { 'cloudEvents:id': 7 }, 'cloudEvents:id'],
    ['specversion 0.3', { 'cloudEvents:specversion': '0.3' }, 'cloudEvents:specversion'],
    ['a bad time', { 'cloudEvents:time': 'noon' }, 'cloudEvents:time'],
    ['an upper-case extension', { 'cloudEvents:Region': 'eu' }, 'cloudEvents:Region'],
    ['a data property', { 'cloudEvents:data': '{}' }, 'cloudEvents:data'],
    ['a source with spaces, under the _ prefix', { cloudEvents_source: 'a b' }, 'cloudEvents_source'],
  ])('rejects %s as InvalidEvent naming the property', (_, properties, field) => {
    const result = rejection(fromServiceBusMessage(binaryMessage(properties)));
    expect(result.reason).toBe('InvalidEvent');
    expect(result.errors.map((e) => e.field)).toEqual([field]);
  });

  it('rejects a JSON content type whose bytes are not JSON, naming body', () => {
    const result = rejection(fromServiceBusMessage(binaryMessage({}, Buffer.from('{x'), 'application/json')));
    expect([result.reason, result.errors.map((e) => e.field)]).toEqual(['InvalidEvent', ['body']]);
  });

  it('rejects a malformed content type naming contentType', () => {
    const result = rejection(fromServiceBusMessage(binaryMessage({}, 'x', 'not a media type')));
    expect(result.errors.map((e) => e.field)).toEqual(['contentType']);
  });
});
