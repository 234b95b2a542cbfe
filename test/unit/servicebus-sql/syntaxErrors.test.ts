import { compileSqlFilter, SqlSyntaxError } from '../../../local/servicebus-emulator/sql';

function syntaxError(expression: string): SqlSyntaxError {
  try {
    compileSqlFilter(expression);
  } catch (error) {
    if (error instanceof SqlSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a syntax error for: ${expression}`);
}

describe('SQL filter syntax errors', () => {
  it.each([
    ["color = 'red' AND AND x", 18, "Syntax error at position 18 near 'AND': expected an expression"],
    ["sys.Label = 'x' AND", 19, 'Syntax error at position 19 near end of input: expected an expression'],
    ['', 0, 'Syntax error at position 0 near end of input: expected an expression'],
    ['a = ', 4, 'Syntax error at position 4 near end of input: expected an expression'],
    ["a = 'open", 4, "Syntax error at position 4 near ''open': unterminated string constant"],
    ['[open = 1', 0, "Syntax error at position 0 near '[open = 1': unterminated quoted identifier"],
    ['(a = 1', 6, "Syntax error at position 6 near end of input: expected ')'"],
    ['a = 1)', 5, "Syntax error at position 5 near ')': expected an operator or the end of the expression"],
    [
      'a = 1 = 2',
      6,
      "Syntax error at position 6 near '=': expected an operator or the end of the expression",
    ],
    ['a == 1', 3, "Syntax error at position 3 near '=': expected an expression"],
    ['a IS 1', 5, "Syntax error at position 5 near '1': expected NULL"],
    ['a NOT 1', 6, "Syntax error at position 6 near '1': expected IN or LIKE after NOT"],
    ['a IN ()', 6, "Syntax error at position 6 near ')': expected an expression"],
    ["a IN ('x' 'y')", 10, "Syntax error at position 10 near ''y'': expected ')'"],
    ['a IN 1', 5, "Syntax error at position 5 near '1': expected '('"],
    ['a = 1 # 2', 6, "Syntax error at position 6 near '#': unexpected character"],
    ['EXISTS(1)', 7, "Syntax error at position 7 near '1': expected a property name"],
    ['EXISTS a', 7, "Syntax error at position 7 near 'a': expected '('"],
    ['AND = 1', 0, "Syntax error at position 0 near 'AND': expected an expression"],
    ['sys. = 1', 5, "Syntax error at position 5 near '=': expected a property name"],
    ['user.NULL = 1', 5, "Syntax error at position 5 near 'NULL': expected a property name"],
    [
      'a = 9223372036854775808',
      4,
      "Syntax error at position 4 near '9223372036854775808': integer constant out of the int64 range",
    ],
    [
      "a LIKE 'x' ESCAPE 'ab'",
      18,
      "Syntax error at position 18 near ''ab'': expected a one-character string after ESCAPE",
    ],
    ['NOT', 3, 'Syntax error at position 3 near end of input: expected an expression'],
    [
      'a = 1 b = 2',
      6,
      "Syntax error at position 6 near 'b': expected an operator or the end of the expression",
    ],
  ])('%j', (expression, position, message) => {
    const error = syntaxError(expression);
    expect(error.message).toBe(message);
    expect(error.position).toBe(position);
    expect(error.name).toBe('SqlSyntaxError');
  });

  it('is an Error subclass', () => {
    expect(syntaxError('a =')).toBeInstanceOf(Error);
  });

  it('accepts the int64 minimum as a constant', () => {
    expect(compileSqlFilter('-9223372036854775808 < 0')({ system: {}, user: {} })).toBe(true);
  });
});
