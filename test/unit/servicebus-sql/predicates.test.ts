import { compileSqlFilter, SqlEvaluationError, SqlSyntaxError } from '../../../local/servicebus-emulator/sql';
import { message, matches, truthOf } from './helpers';

describe('IS NULL and EXISTS', () => {
  const msg = message({ present: 'x', empty: '', nothing: null }, { label: 'L' });

  it('IS NULL is true for absent properties and null values', () => {
    expect(matches('missing IS NULL', msg)).toBe(true);
    expect(matches('nothing IS NULL', msg)).toBe(true);
    expect(matches('present IS NULL', msg)).toBe(false);
    expect(matches('empty IS NULL', msg)).toBe(false);
    expect(matches('missing IS NOT NULL', msg)).toBe(false);
    expect(matches('present IS NOT NULL', msg)).toBe(true);
  });

  it('IS NULL works on system properties', () => {
    expect(matches('sys.Label IS NOT NULL', msg)).toBe(true);
    expect(matches('sys.CorrelationId IS NULL', msg)).toBe(true);
  });

  it('EXISTS tells a present null apart from an absent property', () => {
    expect(matches('EXISTS(nothing)', msg)).toBe(true);
    expect(matches('EXISTS(missing)', msg)).toBe(false);
    expect(matches('NOT EXISTS(missing)', msg)).toBe(true);
    expect(matches('exists([present])', msg)).toBe(true);
    expect(matches('EXISTS(sys.Label)', msg)).toBe(true);
    expect(matches('EXISTS(sys.To)', msg)).toBe(false);
  });
});

describe('IN', () => {
  const msg = message({ store: 'Store2', n: 3, d: 2.0000001 }, { to: 'Store6' });

  it('matches any list member and NOT IN the reverse', () => {
    expect(matches("store IN ('Store1', 'Store2', 'Store3')", msg)).toBe(true);
    expect(matches("store IN('Store1')", msg)).toBe(false);
    expect(matches("store NOT IN ('Store1', 'Store3')", msg)).toBe(true);
    expect(matches("store NOT IN ('Store2')", msg)).toBe(false);
    expect(matches("sys.To IN ('Store5','Store6','Store7') OR store = 'Store8'", msg)).toBe(true);
  });

  it('compares members with = semantics (numbers promote, strings are case-sensitive, types do not mix)', () => {
    expect(matches('n IN (1, 3.0)', msg)).toBe(true);
    expect(matches("n IN ('3')", msg)).toBe(false);
    expect(matches("store IN ('store2')", msg)).toBe(false);
    expect(matches('n IN (1 + 2)', msg)).toBe(true);
  });

  it('is unknown when the left side is unknown, both with IN and NOT IN', () => {
    expect(truthOf("missing IN ('a')", msg)).toBe('UNKNOWN');
    expect(truthOf("missing NOT IN ('a')", msg)).toBe('UNKNOWN');
  });

  it('a NULL list member matches nothing', () => {
    expect(truthOf("store IN (NULL, 'Store2')", msg)).toBe('TRUE');
    expect(truthOf('store IN (NULL)', msg)).toBe('FALSE');
  });
});

describe('LIKE', () => {
  const msg = message({ s: 'ABC%def', path: 'a_b', multi: 'line1\nline2', n: 12 }, { label: 'my bus label' });

  it.each([
    ["s LIKE 'ABC%'", true],
    ["s LIKE '%def'", true],
    ["s LIKE '%C\\%d%' ESCAPE '\\'", true],
    ["s LIKE 'ABC\\%' ESCAPE '\\'", false],
    ["s LIKE 'ABC!%def' ESCAPE '!'", true],
    ["s LIKE 'ABC!%xyz' ESCAPE '!'", false],
    ["s LIKE '___%def'", true],
    ["s LIKE '____def'", true],
    ["s LIKE '___def'", false],
    ["s LIKE 'abc%'", false],
    ["s NOT LIKE 'abc%'", true],
    ["path LIKE 'a!_b' ESCAPE '!'", true],
    ["path LIKE 'a_b'", true],
    ["multi LIKE 'line1%line2'", true],
    ["multi LIKE 'line1_line2'", true],
    ["sys.Label LIKE '%bus%'", true],
    ["s LIKE '(A|X).*'", false],
    ["'a.c' LIKE 'a.c'", true],
    ["'abc' LIKE 'a.c'", false],
    ["'[x]' LIKE '[x]'", true],
  ] as const)('%s -> %s', (expression, expected) => {
    expect(matches(expression, msg)).toBe(expected);
  });

  it('the escape character escapes itself', () => {
    expect(matches("s LIKE 'a!!b' ESCAPE '!'", message({ s: 'a!b' }))).toBe(true);
  });

  it('is unknown when any operand is unknown or not a string', () => {
    expect(truthOf("missing LIKE 'a%'", msg)).toBe('UNKNOWN');
    expect(truthOf("missing NOT LIKE 'a%'", msg)).toBe('UNKNOWN');
    expect(truthOf("n LIKE '1%'", msg)).toBe('UNKNOWN');
    expect(truthOf('s LIKE missing', msg)).toBe('UNKNOWN');
  });

  it('accepts a pattern computed from properties', () => {
    const withPattern = message({ s: 'hello world', prefix: 'hello' });
    expect(matches("s LIKE prefix + '%'", withPattern)).toBe(true);
    expect(matches("s LIKE p('prefix')", withPattern)).toBe(false);
  });

  it('rejects a constant ESCAPE that is not one character, at compile time', () => {
    expect(() => compileSqlFilter("s LIKE 'a' ESCAPE 'ab'")).toThrow(SqlSyntaxError);
    expect(() => compileSqlFilter("s LIKE 'a' ESCAPE ''")).toThrow(/one-character/);
    expect(() => compileSqlFilter("s LIKE 'ab!' ESCAPE '!'")).toThrow(/ends with its escape/);
  });

  it('raises an evaluation error for a computed ESCAPE that is not one character', () => {
    const filter = compileSqlFilter("s LIKE 'a%' ESCAPE e");
    expect(filter(message({ s: 'abc', e: '!' }))).toBe(true);
    expect(() => filter(message({ s: 'abc', e: '!!' }))).toThrow(SqlEvaluationError);
    expect(filter(message({ s: 'abc' }))).toBe(false); // unknown escape: unknown
  });
});
