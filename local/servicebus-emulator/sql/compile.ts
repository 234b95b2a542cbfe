/** Compiling SQL filter and action text into functions over RuleMessage. */
import type { Expr } from './ast';
import { evaluate } from './evaluate';
import { removeProperty, writeProperty } from './messageAccess';
import { parseAction, parseFilter } from './parser';
import type { RuleMessage, SqlParameters } from './types';

/**
 * Compiles a SQL filter. The returned function is true only when the expression evaluates to
 * TRUE (FALSE and unknown do not match). Throws SqlSyntaxError now for bad text; the returned
 * function throws SqlEvaluationError for a filter evaluation exception (integer division by zero).
 * `parameters` binds `@name` placeholders (SqlRuleFilter.sqlParameters), with or without the @.
 */
export function compileSqlFilter(
  expression: string,
  parameters?: SqlParameters,
): (message: RuleMessage) => boolean {
  const tree: Expr = parseFilter(expression, parameters);
  return (message) => evaluate(tree, message) === true;
}

/**
 * Compiles a SQL rule action: `SET name = expr` and `REMOVE name` statements, `;` optional
 * between them. Statements run in order, each seeing the changes of the ones before. The
 * returned function never changes its argument: it returns a modified copy.
 */
export function compileSqlAction(
  expression: string,
  parameters?: SqlParameters,
): (message: RuleMessage) => RuleMessage {
  const statements = parseAction(expression, parameters);
  return (message) => {
    const copy: RuleMessage = { system: { ...message.system }, user: { ...message.user } };
    for (const statement of statements) {
      if (statement.kind === 'set') writeProperty(copy, statement.target, evaluate(statement.value, copy));
      else removeProperty(copy, statement.target);
    }
    return copy;
  };
}
