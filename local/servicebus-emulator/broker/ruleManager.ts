import { compileRule, RuleConfigError, type RuleDefinition } from '../sql';
import { BrokerError } from './brokerError';
import type { SubscriptionRule } from './rules';
import type { Subscription } from './topicEntity';

/**
 * The rule operations of ServiceBusRuleManager on one subscription's rules (add-rule,
 * remove-rule, enumerate-rules). The subscription's rules array is changed in place, so the
 * next message the topic copies sees the change.
 */

/** Service Bus limits (the SDK's constants): rule names up to 50 characters, expressions up to 1024. */
export const MAX_RULE_NAME_LENGTH = 50;
const MAX_EXPRESSION_LENGTH = 1024;

function rulePath(subscription: Subscription, name: string): string {
  return `${subscription.store.settings.path}/Rules/${name}`;
}

function find(subscription: Subscription, name: string): number {
  const key = name.toLowerCase();
  return subscription.rules.findIndex((rule) => rule.name.toLowerCase() === key);
}

function assertValid(definition: RuleDefinition): void {
  const { name } = definition;
  if (name.length === 0 || name.length > MAX_RULE_NAME_LENGTH) {
    throw new BrokerError(
      'ArgumentError',
      `The rule name '${name}' must be 1 to ${MAX_RULE_NAME_LENGTH} characters long.`,
    );
  }
  const expressions = [
    definition.filter.type === 'sql' ? definition.filter.expression : '',
    definition.action?.expression ?? '',
  ];
  if (expressions.some((text) => text.length > MAX_EXPRESSION_LENGTH)) {
    throw new BrokerError(
      'ArgumentError',
      `Rule '${name}': SQL expressions are limited to ${MAX_EXPRESSION_LENGTH} characters.`,
    );
  }
}

/** Compiles and adds a rule; 409 for a name in use, 400 naming the position of a SQL syntax error. */
export function addRule(subscription: Subscription, definition: RuleDefinition): SubscriptionRule {
  assertValid(definition);
  if (find(subscription, definition.name) >= 0) {
    throw new BrokerError(
      'MessagingEntityAlreadyExists',
      `The messaging entity '${rulePath(subscription, definition.name)}' already exists.`,
    );
  }
  let rule: SubscriptionRule;
  try {
    rule = compileRule(definition);
  } catch (error) {
    if (error instanceof RuleConfigError) throw new BrokerError('ArgumentError', error.message);
    throw error;
  }
  subscription.rules.push(rule);
  return rule;
}

export function removeRule(subscription: Subscription, name: string): void {
  const index = find(subscription, name);
  if (index < 0) {
    throw new BrokerError(
      'MessagingEntityNotFound',
      `The messaging entity '${rulePath(subscription, name)}' could not be found.`,
    );
  }
  subscription.rules.splice(index, 1);
}

/** One page of the subscription's rules, in the order they were added. */
export function listRules(subscription: Subscription, skip: number, top: number): SubscriptionRule[] {
  return subscription.rules.slice(Math.max(0, skip), Math.max(0, skip) + Math.max(0, top));
}
