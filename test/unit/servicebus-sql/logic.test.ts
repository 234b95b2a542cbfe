import { message, matches, truthOf } from './helpers';

describe('SQL filter logic', () => {
  const values = { T: '1 = 1', F: '1 = 0', U: 'missing = 1' } as const;
  const name = { TRUE: 'T', FALSE: 'F', UNKNOWN: 'U' } as const;
  type V = keyof typeof values;

  // The AND / OR tables from the Service Bus docs.
  it.each([
    ['T', 'T', 'T', 'T'],
    ['T', 'F', 'F', 'T'],
    ['T', 'U', 'U', 'T'],
    ['F', 'T', 'F', 'T'],
    ['F', 'F', 'F', 'F'],
    ['F', 'U', 'F', 'U'],
    ['U', 'T', 'U', 'T'],
    ['U', 'F', 'F', 'U'],
    ['U', 'U', 'U', 'U'],
  ] as [V, V, V, V][])('%s AND/OR %s = %s / %s', (a, b, and, or) => {
    expect(name[truthOf(`(${values[a]}) AND (${values[b]})`)]).toBe(and);
    expect(name[truthOf(`(${values[a]}) OR (${values[b]})`)]).toBe(or);
  });

  it('NOT flips TRUE and FALSE and keeps UNKNOWN', () => {
    expect(truthOf('NOT 1 = 1')).toBe('FALSE');
    expect(truthOf('NOT 1 = 0')).toBe('TRUE');
    expect(truthOf('NOT missing = 1')).toBe('UNKNOWN');
    expect(truthOf('NOT NOT 1 = 1')).toBe('TRUE');
  });

  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    // TRUE OR (FALSE AND FALSE) = TRUE; (TRUE OR FALSE) AND FALSE would be FALSE.
    expect(matches('1 = 1 OR 1 = 0 AND 1 = 0')).toBe(true);
    expect(matches('(1 = 1 OR 1 = 0) AND 1 = 0')).toBe(false);
    // (NOT TRUE) AND FALSE... = FALSE; NOT (TRUE AND FALSE) would be TRUE.
    expect(matches('NOT 1 = 1 AND 1 = 0')).toBe(false);
    expect(matches('NOT (1 = 1 AND 1 = 0)')).toBe(true);
    expect(matches('1 = 0 AND 1 = 0 OR 1 = 1')).toBe(true);
  });

  it('reads keywords in any case', () => {
    const msg = message({ a: 1, b: null });
    expect(matches('a = 1 and not b is not null or a = 2', msg)).toBe(true);
    expect(matches('a In (1) AnD b iS nUlL', msg)).toBe(true);
  });

  it('does not evaluate the right side when the left decides (no division by zero)', () => {
    const msg = message({ x: 0 });
    expect(matches('x <> 0 AND 10 / x > 1', msg)).toBe(false);
    expect(matches('x = 0 OR 10 / x > 1', msg)).toBe(true);
  });
});
