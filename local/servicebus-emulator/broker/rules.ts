import { compileRule, SqlEvaluationError, type CompiledRule, type RuleMessage } from '../sql';
import { applyRuleChanges } from './ruleMessage';
import type { IncomingMessage } from './storedMessage';

/**
 * A subscription rule: a filter deciding whether a topic message is copied to the
 * subscription, and an optional action changing the copy (compiled by the sql module).
 * `filter` and `action` may throw SqlEvaluationError for one message (integer division by zero).
 */
export type SubscriptionRule = CompiledRule;
export type { RuleMessage };

/** The application property naming the rule whose action produced a copy (as Service Bus adds it). */
const RULE_NAME_PROPERTY = 'RuleName';

export const trueRule = (name = '$Default'): SubscriptionRule =>
  compileRule({ name, filter: { type: 'true' } });

/**
 * Service Bus's filter evaluation exception: the rule does not match (the emulator has no
 * deadLetteringOnFilterEvaluationExceptions). Anything else is a bug and propagates.
 */
function evaluates<T>(evaluate: () => T): T | undefined {
  try {
    return evaluate();
  } catch (error) {
    if (error instanceof SqlEvaluationError) return undefined;
    throw error;
  }
}

/**
 * The copies of one topic message a subscription gets, as Service Bus documents it: all matching
 * rules without an action together give one unchanged copy; each matching rule with an action
 * gives a copy of its own, changed by the action and carrying the application property RuleName.
 * `view` (toRuleMessage) is built once per message and shared by all subscriptions.
 */
export function copiesFor(
  rules: readonly SubscriptionRule[],
  input: IncomingMessage,
  view: RuleMessage,
): IncomingMessage[] {
  const copies: IncomingMessage[] = [];
  let plainMatch = false;
  for (const rule of rules) {
    if (evaluates(() => rule.filter(view)) !== true) continue;
    if (!rule.action) {
      plainMatch = true;
      continue;
    }
    const action = rule.action;
    const changed = evaluates(() => action(view));
    if (changed) copies.push(applyRuleChanges(input, view, changed, { [RULE_NAME_PROPERTY]: rule.name }));
  }
  if (plainMatch) copies.unshift(input);
  return copies;
}
