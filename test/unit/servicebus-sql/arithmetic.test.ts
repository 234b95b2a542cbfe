import { compileSqlFilter, SqlEvaluationError } from '../../../local/servicebus-emulator/sql';
import { message, matches, truthOf } from './helpers';

describe('SQL arithmetic', () => {
  it.each([
    ['1 + 2 = 3'],
    ['7 - 10 = -3'],
    ['6 * 7 = 42'],
    ['7 / 2 = 3'], // int64 division truncates
    ['-7 / 2 = -3'], // toward zero, as C#
    ['7 % 3 = 1'],
    ['-7 % 3 = -1'], // sign of the dividend
    ['7.0 / 2 = 3.5'], // double wins
    ['7 / 2.0 = 3.5'],
    ['0.5E-2 = 0.005'],
    ['101.5E5 = 10150000'],
    ['1e3 = 1000'],
    ['.5 = 0.5'],
    ['7.5 % 2 = 1.5'],
    ['1 + 2 * 3 = 7'], // * before +
    ['(1 + 2) * 3 = 9'],
    ['10 - 4 - 3 = 3'], // left to right
    ['100 / 10 / 5 = 2'],
    ['- 3 + 5 = 2'],
    ['-(3 + 5) = -8'],
    ['+4 = 4'],
    ['- -4 = 4'],
    ['2 * -3 = -6'],
  ])('%s', (expression) => {
    expect(matches(expression)).toBe(true);
  });

  it('mixes int and double properties', () => {
    const msg = message({ quantity: 5, price: 2.5, count: 2 });
    expect(matches('quantity * price = 12.5', msg)).toBe(true);
    expect(matches('quantity / count = 2', msg)).toBe(true);
    expect(matches('quantity / price = 2', msg)).toBe(true);
    expect(matches('quantity - count * 2 = 1', msg)).toBe(true);
  });

  it('wraps int64 overflow like unchecked C#', () => {
    expect(matches('9223372036854775807 + 1 = -9223372036854775808')).toBe(true);
    expect(matches('-9223372036854775808 - 1 = 9223372036854775807')).toBe(true);
  });

  it('concatenates strings with +', () => {
    const msg = message({ first: 'Jane', last: 'Doe', n: 2 });
    expect(matches("first + ' ' + last = 'Jane Doe'", msg)).toBe(true);
    expect(matches("'v' + n = 'v2'", msg)).toBe(true);
    expect(matches("'flag:' + TRUE = 'flag:True'", msg)).toBe(true);
  });

  it('is unknown with an unknown or NULL operand', () => {
    const msg = message({ n: 1, nothing: null });
    expect(truthOf('missing + 1 = 1', msg)).toBe('UNKNOWN');
    expect(truthOf('n + missing IS NULL', msg)).toBe('TRUE');
    expect(truthOf('-missing = 1', msg)).toBe('UNKNOWN');
    expect(truthOf('n * nothing = 0', msg)).toBe('UNKNOWN');
    expect(truthOf('n + NULL = 1', msg)).toBe('UNKNOWN');
  });

  it('is unknown for operands that are not numbers', () => {
    const msg = message({ s: 'abc', b: true, n: 2 });
    expect(truthOf('s - 1 = 0', msg)).toBe('UNKNOWN');
    expect(truthOf('b * 2 = 2', msg)).toBe('UNKNOWN');
    expect(truthOf('-s = 0', msg)).toBe('UNKNOWN');
    expect(truthOf("n * '2' = 4", msg)).toBe('UNKNOWN');
  });

  it('raises a filter evaluation error for integer division or modulo by zero', () => {
    const filter = compileSqlFilter('10 / n > 1');
    expect(filter(message({ n: 2 }))).toBe(true);
    expect(() => filter(message({ n: 0 }))).toThrow(SqlEvaluationError);
    expect(() => compileSqlFilter('10 % n = 0')(message({ n: 0 }))).toThrow(/division by zero/);
  });

  it('divides doubles by zero as IEEE (Infinity, NaN) without an error', () => {
    expect(matches('1.0 / 0 > 1000000')).toBe(true);
    expect(matches('-1 / 0.0 < 0')).toBe(true);
    expect(truthOf('0.0 / 0 = 0.0 / 0')).toBe('FALSE'); // NaN is not equal to itself
    expect(matches('0.0 / 0 <> 1')).toBe(true);
  });
});
