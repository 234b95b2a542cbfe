/** Errors raised when compiling (SqlSyntaxError) or evaluating (SqlEvaluationError) rules. */

/** The expression does not parse, or names something that cannot exist (sys.Nope, @missing). */
export class SqlSyntaxError extends Error {
  override readonly name = 'SqlSyntaxError';
  /** 0-based character offset in the expression where the problem starts. */
  readonly position: number;

  constructor(position: number, near: string | undefined, expected: string) {
    const where = near === undefined ? 'near end of input' : `near '${near}'`;
    super(`Syntax error at position ${position} ${where}: ${expected}`);
    this.position = position;
  }
}

/**
 * Evaluation failed for this message: integer division by zero, a bad ESCAPE value, a SET
 * that cannot convert. Service Bus calls this a filter evaluation exception; a subscription with
 * deadLetteringOnFilterEvaluationExceptions dead-letters the message, otherwise the rule does
 * not match.
 */
export class SqlEvaluationError extends Error {
  override readonly name = 'SqlEvaluationError';
}
