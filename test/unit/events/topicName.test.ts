import { isValidTopicName, parseTopicName } from '../../../shared/events/topicName';
import { fieldsOf, problemOf } from './eventRequests';

describe('topic names', () => {
  it.each(['orders', 'Orders.EU-1', 'a', '9lives', 'x'.repeat(64), 'a_b'])('accepts %s', (name) => {
    expect(isValidTopicName(name)).toBe(true);
    expect(parseTopicName(name)).toBe(name);
  });

  it.each(['', '-orders', '.hidden', 'a/b', 'a b', 'x'.repeat(65), 'ordérs', 'a%2Fb'])(
    'rejects %j with 400 naming topic',
    (name) => {
      const problem = problemOf(() => parseTopicName(name));
      expect([problem.status, fieldsOf(problem)]).toEqual([400, ['topic']]);
    },
  );

  it('rejects a missing topic', () => {
    expect(isValidTopicName(undefined)).toBe(false);
  });
});
