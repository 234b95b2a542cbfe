/**
 * Operators on SqlValue with Service Bus semantics: three-valued logic (null = unknown),
 * int64 arithmetic that wraps like unchecked C#, int/double promotion, and "unknown" instead of
 * an error when operand types cannot be compared or combined.
 */
import type { ArithmeticOperator, ComparisonOperator } from './ast';
import { SqlEvaluationError } from './errors';
import type { RuleUserValue, SqlValue } from './types';

/** JS numbers that are safe integers are int64 (AMQP gives no way to tell 2 from 2.0). */
export function fromUserValue(value: RuleUserValue | undefined): SqlValue {
  if (value === undefined) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return value;
}

export function toUserValue(value: SqlValue): RuleUserValue {
  return typeof value === 'bigint' ? Number(value) : value;
}

function isNumeric(value: SqlValue): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number';
}

/** TRUE, FALSE or unknown (null); non-boolean values count as unknown. */
export function asLogical(value: SqlValue): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function compare(operator: ComparisonOperator, left: SqlValue, right: SqlValue): boolean | null {
  if (left === null || right === null) return null;
  let order: number;
  if (isNumeric(left) && isNumeric(right)) {
    if (typeof left === 'bigint' && typeof right === 'bigint') {
      order = left < right ? -1 : left > right ? 1 : 0;
    } else {
      const [a, b] = [Number(left), Number(right)];
      // NaN is unordered: only <> holds.
      if (Number.isNaN(a) || Number.isNaN(b)) return operator === '<>';
      order = a < b ? -1 : a > b ? 1 : 0;
    }
  } else if (typeof left === 'string' && typeof right === 'string') {
    order = left < right ? -1 : left > right ? 1 : 0; // ordinal, case-sensitive
  } else if (left instanceof Date && right instanceof Date) {
    order = Math.sign(left.getTime() - right.getTime());
  } else if (typeof left === 'boolean' && typeof right === 'boolean') {
    if (operator === '=') return left === right;
    if (operator === '<>') return left !== right;
    return null; // booleans have no order
  } else {
    return null; // different types: unknown, as Service Bus does
  }
  switch (operator) {
    case '=':
      return order === 0;
    case '<>':
      return order !== 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
  }
}

const wrap64 = (value: bigint): bigint => BigInt.asIntN(64, value);

export function arithmetic(operator: ArithmeticOperator, left: SqlValue, right: SqlValue): SqlValue {
  if (left === null || right === null) return null;
  if (operator === '+' && (typeof left === 'string' || typeof right === 'string')) {
    return toText(left) + toText(right); // C# string concatenation
  }
  if (!isNumeric(left) || !isNumeric(right)) return null;
  if (typeof left === 'bigint' && typeof right === 'bigint') {
    if ((operator === '/' || operator === '%') && right === 0n) {
      throw new SqlEvaluationError('Integer division by zero');
    }
    switch (operator) {
      case '+':
        return wrap64(left + right);
      case '-':
        return wrap64(left - right);
      case '*':
        return wrap64(left * right);
      case '/':
        return wrap64(left / right); // truncates toward zero, like C#
      case '%':
        return left % right; // sign of the dividend, like C#
    }
  }
  const [a, b] = [Number(left), Number(right)];
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b; // IEEE: x / 0.0 is Infinity or NaN, as in C#
    case '%':
      return a % b;
  }
}

export function negate(value: SqlValue): SqlValue {
  if (typeof value === 'bigint') return wrap64(-value);
  if (typeof value === 'number') return -value;
  return null;
}

export function unaryPlus(value: SqlValue): SqlValue {
  return isNumeric(value) ? value : null;
}

/** How C# would print the value in a string concatenation or a string-typed SET. */
export function toText(value: Exclude<SqlValue, null>): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof Date) return value.toISOString();
  return String(value);
}
