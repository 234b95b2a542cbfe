import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { fromServiceBusMessage } from '../../../shared/events/fromServiceBusMessage';
import { MAX_EVENT_DEPTH, jsonDepth, memberTooDeep } from '../../../shared/events/jsonDepth';
import {
  batchRequest,
  binaryRequest,
  fieldsOf,
  problemOf,
  structuredRequest,
  validEvent,
} from './eventRequests';

/** `depth` nested arrays as JSON text: `[[0]]` is 2. */
function arraysText(depth: number): string {
  return `${'['.repeat(depth)}0${']'.repeat(depth)}`;
}

function eventText(dataText: string): string {
  return `{"specversion":"1.0","id":"d","source":"/deep","type":"t","data":${dataText}}`;
}

describe('jsonDepth', () => {
  it('counts levels of arrays and objects, scalars being 0', () => {
    expect(jsonDepth(1, 10)).toBe(0);
    expect(jsonDepth('x', 10)).toBe(0);
    expect(jsonDepth({}, 10)).toBe(1);
    expect(jsonDepth({ a: [1, { b: [] }] }, 10)).toBe(4);
    expect(jsonDepth([[], [[[]]], {}], 10)).toBe(4);
  });

  it('stops at the limit, without recursion, on a value 200,000 levels deep', () => {
    const deep: unknown = JSON.parse(arraysText(200_000));
    expect(jsonDepth(deep, 64)).toBe(65);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
  });

  it('names the member of an event that makes it too deep; the event object counts as one level', () => {
    expect(MAX_EVENT_DEPTH).toBe(64);
    expect(memberTooDeep(JSON.parse(eventText(arraysText(63))) as Record<string, unknown>)).toBeUndefined();
    expect(memberTooDeep(JSON.parse(eventText(arraysText(64))) as Record<string, unknown>)).toBe('data');
  });
});

describe('the nesting limit over HTTP: 400 naming the field, where JSON.stringify used to overflow (500)', () => {
  it('structured mode: data nested 63 deep is accepted, 64 and 5,000 deep answer 400 naming data', () => {
    expect(fromHttpRequest(structuredRequest(eventText(arraysText(63)))).events).toHaveLength(1);
    for (const depth of [64, 5_000, 100_000]) {
      const problem = problemOf(() => fromHttpRequest(structuredRequest(eventText(arraysText(depth)))));
      expect([problem.status, fieldsOf(problem)]).toEqual([400, ['data']]);
      expect(problem.detail).toContain('64');
    }
  });

  it('a batch names the event by index; binary mode names the body', () => {
    const batch = `[${JSON.stringify(validEvent({ id: 'ok' }))},${eventText(arraysText(5_000))}]`;
    const batchProblem = problemOf(() =>
      fromHttpRequest(structuredRequest(batch, 'application/cloudevents-batch+json')),
    );
    expect([batchProblem.status, fieldsOf(batchProblem)]).toEqual([400, ['[1].data']]);
    expect(fromHttpRequest(batchRequest([validEvent()])).events).toHaveLength(1);

    const binaryProblem = problemOf(() =>
      fromHttpRequest(binaryRequest({ 'content-type': 'application/json' }, arraysText(5_000))),
    );
    expect([binaryProblem.status, fieldsOf(binaryProblem)]).toEqual([400, ['body']]);
  });

  it('an extension attribute nested too deep is named too', () => {
    const text = `{"specversion":"1.0","id":"d","source":"/deep","type":"t","ext":${arraysText(5_000)}}`;
    const problem = problemOf(() => fromHttpRequest(structuredRequest(text)));
    expect([problem.status, fieldsOf(problem)]).toEqual([400, ['ext']]);
  });
});

describe('the nesting limit at ingress: a rejection with a reason, never a throw', () => {
  it.each([
    ['text', eventText(arraysText(5_000))],
    ['bytes', Buffer.from(eventText(arraysText(5_000)))],
    ['a value the SDK decoded', JSON.parse(eventText(arraysText(50_000))) as unknown],
  ])('structured mode, the body as %s', (_what, body) => {
    const result = fromServiceBusMessage({
      body,
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'orders' },
    });
    expect(result).toMatchObject({
      ok: false,
      rejection: { reason: 'InvalidEvent', errors: [{ field: 'data' }] },
    });
  });

  it('binary mode names the body', () => {
    const result = fromServiceBusMessage({
      body: Buffer.from(arraysText(5_000)),
      contentType: 'application/json',
      applicationProperties: {
        topic: 'orders',
        'cloudEvents:specversion': '1.0',
        'cloudEvents:id': 'd',
        'cloudEvents:source': '/deep',
        'cloudEvents:type': 't',
      },
    });
    expect(result).toMatchObject({
      ok: false,
      rejection: { reason: 'InvalidEvent', errors: [{ field: 'body' }] },
    });
  });
});
