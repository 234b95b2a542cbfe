import { message, matches, truthOf } from './helpers';

describe('SQL filter comparisons', () => {
  const msg = message({
    n: 5,
    d: 2.5,
    s: 'abc',
    b: true,
    when: new Date('2024-01-02T00:00:00Z'),
    nothing: null,
  });

  it.each([
    ['n = 5', 'TRUE'],
    ['n = 6', 'FALSE'],
    ['n <> 6', 'TRUE'],
    ['n != 5', 'FALSE'],
    ['n > 4', 'TRUE'],
    ['n > 5', 'FALSE'],
    ['n >= 5', 'TRUE'],
    ['n < 5', 'FALSE'],
    ['n <= 5', 'TRUE'],
    ['d < 3', 'TRUE'],
    ['d = 2.5', 'TRUE'],
    ['5 = 5.0', 'TRUE'],
    ["s = 'abc'", 'TRUE'],
    ["s = 'ABC'", 'FALSE'],
    ["s < 'abd'", 'TRUE'],
    ["s > 'ab'", 'TRUE'],
    ['b = TRUE', 'TRUE'],
    ['b <> FALSE', 'TRUE'],
  ] as const)('%s is %s', (expression, expected) => {
    expect(truthOf(expression, msg)).toBe(expected);
  });

  it('compares dates by instant', () => {
    const later = message({
      a: new Date('2024-01-02T00:00:00Z'),
      b: new Date('2024-01-03T00:00:00Z'),
      c: new Date('2024-01-02T00:00:00Z'),
    });
    expect(truthOf('a < b', later)).toBe('TRUE');
    expect(truthOf('a = c', later)).toBe('TRUE');
    expect(truthOf('a > b', later)).toBe('FALSE');
  });

  it.each(["n = '5'", 's > 1', 'b = 1', "when = '2024-01-02T00:00:00.000Z'", 'b > FALSE'])(
    'type mismatch %s is unknown',
    (expression) => {
      expect(truthOf(expression, msg)).toBe('UNKNOWN');
    },
  );

  it('comparisons with an absent property or NULL are unknown, never true', () => {
    for (const expression of [
      'missing = 1',
      'missing <> 1',
      'nothing = NULL',
      'NULL = NULL',
      'n = NULL',
      'n <> NULL',
    ]) {
      expect(truthOf(expression, msg)).toBe('UNKNOWN');
    }
  });

  it('compares int64 values exactly beyond double precision', () => {
    expect(matches('9007199254740993 > 9007199254740992')).toBe(true);
    expect(matches('9223372036854775807 > 9223372036854775806')).toBe(true);
  });

  it('promotes int to double when one side is a double', () => {
    expect(matches('2 < 2.5')).toBe(true);
    expect(matches('3 > 2.5E0')).toBe(true);
    expect(matches('1 = 1E0')).toBe(true);
  });

  it('accepts 1=1 and TRUE as always-true filters, FALSE and 1=0 as never', () => {
    expect(matches('1=1')).toBe(true);
    expect(matches('TRUE')).toBe(true);
    expect(matches('true')).toBe(true);
    expect(matches('FALSE')).toBe(false);
    expect(matches('1=0')).toBe(false);
  });

  it('does not match a non-boolean filter result', () => {
    expect(matches('n', msg)).toBe(false);
    expect(matches("'TRUE'", msg)).toBe(false);
    expect(matches('b', msg)).toBe(true); // a boolean property is a predicate
  });
});
