import { compileRule, RuleConfigError, type RuleDefinition } from '../sql';
import type { SubscriptionRule } from '../broker/rules';
import { badRequest } from './adminError';

/** Compiles a rule given over HTTP; a SQL syntax error is a 400 naming its position. */
export function runtimeRule(definition: RuleDefinition): SubscriptionRule {
  try {
    return compileRule(definition);
  } catch (error) {
    if (error instanceof RuleConfigError) throw badRequest(error.message);
    throw error;
  }
}
