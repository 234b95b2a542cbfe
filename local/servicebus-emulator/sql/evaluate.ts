/** Evaluates a parsed expression against one message. */
import { randomUUID } from 'node:crypto';
import type { Expr, PropertyRef } from './ast';
import { SqlEvaluationError } from './errors';
import { likeToRegExp, LikeEscapeError } from './like';
import { propertyExists, readProperty } from './messageAccess';
import { findSystemProperty } from './systemProperties';
import type { RuleMessage, SqlValue } from './types';
import { arithmetic, asLogical, compare, negate, unaryPlus } from './values';

export function evaluate(expr: Expr, message: RuleMessage): SqlValue {
  switch (expr.kind) {
    case 'constant':
      return expr.value;
    case 'property':
      return readProperty(message, expr.ref);
    case 'dynamicProperty':
      return readProperty(message, resolveDynamicName(evaluate(expr.name, message), expr.position));
    case 'newid':
      return randomUUID();
    case 'negate':
      return negate(evaluate(expr.operand, message));
    case 'unaryPlus':
      return unaryPlus(evaluate(expr.operand, message));
    case 'arithmetic':
      return arithmetic(expr.operator, evaluate(expr.left, message), evaluate(expr.right, message));
    case 'comparison':
      return compare(expr.operator, evaluate(expr.left, message), evaluate(expr.right, message));
    case 'not': {
      const operand = asLogical(evaluate(expr.operand, message));
      return operand === null ? null : !operand;
    }
    case 'and': {
      // Kleene logic; FALSE decides without looking right (so `x <> 0 AND 1 / x > 0` is safe).
      const left = asLogical(evaluate(expr.left, message));
      if (left === false) return false;
      const right = asLogical(evaluate(expr.right, message));
      if (right === false) return false;
      return left === true && right === true ? true : null;
    }
    case 'or': {
      const left = asLogical(evaluate(expr.left, message));
      if (left === true) return true;
      const right = asLogical(evaluate(expr.right, message));
      if (right === true) return true;
      return left === false && right === false ? false : null;
    }
    case 'isNull': {
      const isNull = evaluate(expr.operand, message) === null;
      return expr.negated ? !isNull : isNull;
    }
    case 'in': {
      const operand = evaluate(expr.operand, message);
      if (operand === null) return null;
      const found = expr.list.some((item) => compare('=', operand, evaluate(item, message)) === true);
      return expr.negated ? !found : found;
    }
    case 'like': {
      const operand = evaluate(expr.operand, message);
      const regex = expr.regex ?? dynamicLikeRegExp(expr.pattern, expr.escape, message);
      if (typeof operand !== 'string' || regex === null) return null;
      const matches = regex.test(operand);
      return expr.negated ? !matches : matches;
    }
    case 'exists':
      return propertyExists(message, expr.ref);
  }
}

/** A pattern computed per message; null (unknown) when the pattern or escape is not a string. */
function dynamicLikeRegExp(pattern: Expr, escape: Expr | undefined, message: RuleMessage): RegExp | null {
  const patternValue = evaluate(pattern, message);
  const escapeValue = escape ? evaluate(escape, message) : undefined;
  if (typeof patternValue !== 'string' || escapeValue === null) return null;
  if (escapeValue !== undefined && (typeof escapeValue !== 'string' || escapeValue.length !== 1)) {
    throw new SqlEvaluationError('The ESCAPE value must be a string of one character');
  }
  try {
    return likeToRegExp(patternValue, escapeValue);
  } catch (error) {
    if (error instanceof LikeEscapeError) throw new SqlEvaluationError(error.message);
    throw error;
  }
}

/** property('name'), property('sys.Label'), property('user.x'). */
function resolveDynamicName(name: SqlValue, position: number): PropertyRef {
  if (typeof name !== 'string') throw new SqlEvaluationError('property() needs a string name');
  const match = /^(sys|user)\.(.+)$/i.exec(name);
  const scope = match?.[1]?.toLowerCase();
  const bare = match?.[2] ?? name;
  if (scope === 'sys') {
    const info = findSystemProperty(bare);
    if (!info) throw new SqlEvaluationError(`Unknown system property '${bare}'`);
    return { scope: 'sys', name: info.sqlName, info, position };
  }
  return { scope: 'user', name: bare, position };
}
