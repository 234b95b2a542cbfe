import { fromHttpRequest } from '../../../shared/events/fromHttpRequest';
import { DEFAULT_EVENT_LIMITS } from '../../../shared/events/limits';
import { batchRequest, fieldsOf, problemOf, structuredRequest, validEvent } from './eventRequests';

const events = (n: number) => Array.from({ length: n }, (_, i) => validEvent({ id: `e-${i}` }));

describe('fromHttpRequest, batch mode', () => {
  it('returns the events of a batch in order', () => {
    const parsed = fromHttpRequest(batchRequest(events(3)));
    expect(parsed.mode).toBe('batch');
    expect(parsed.events.map((p) => p.event.id)).toEqual(['e-0', 'e-1', 'e-2']);
  });

  it(`accepts ${DEFAULT_EVENT_LIMITS.maxBatchEvents} events and rejects one more with 413 naming body`, () => {
    expect(fromHttpRequest(batchRequest(events(DEFAULT_EVENT_LIMITS.maxBatchEvents))).events).toHaveLength(
      100,
    );
    const problem = problemOf(() =>
      fromHttpRequest(batchRequest(events(DEFAULT_EVENT_LIMITS.maxBatchEvents + 1))),
    );
    expect([problem.status, fieldsOf(problem)]).toEqual([413, ['body']]);
  });

  it('rejects an empty batch and a batch that is not an array with 400 naming body', () => {
    for (const body of [[], validEvent()]) {
      const problem = problemOf(() =>
        fromHttpRequest(structuredRequest(body, 'application/cloudevents-batch+json')),
      );
      expect([problem.status, fieldsOf(problem)]).toEqual([400, ['body']]);
    }
  });

  it('names the index and attribute of every invalid event', () => {
    const batch = events(5);
    batch[1] = validEvent({ source: 'not a uri' });
    batch[3] = validEvent({ type: '', Color: 'red' });
    const problem = problemOf(() => fromHttpRequest(batchRequest(batch)));
    expect(problem.status).toBe(400);
    expect(fieldsOf(problem).sort()).toEqual(['[1].source', '[3].Color', '[3].type']);
  });

  it.each([
    ['a string entry', 'event', '[2]'],
    ['a null entry', null, '[2]'],
    ['an entry without id', validEvent({ id: undefined }), '[2].id'],
    ['an entry with a bad specversion', validEvent({ specversion: '2.0' }), '[2].specversion'],
  ])('rejects %s with 400 naming it', (_, entry, field) => {
    const batch: unknown[] = events(3);
    batch[2] = entry;
    const problem = problemOf(() => fromHttpRequest(batchRequest(batch)));
    expect([problem.status, fieldsOf(problem)]).toEqual([400, [field]]);
  });

  it('bounds the number of errors reported for a batch of bad events', () => {
    const bad = Array.from({ length: 100 }, () => validEvent({ id: '', type: '' }));
    const problem = problemOf(() => fromHttpRequest(batchRequest(bad)));
    expect(problem.errors).toHaveLength(100);
    expect(problem.detail).toContain('and 97 more');
  });
});
