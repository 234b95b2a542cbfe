import { types } from 'rhea';
import { BrokerError } from '../broker/brokerError';
import type { ResolvedAddress } from '../broker/entityRegistry';
import { addRule, listRules, removeRule } from '../broker/ruleManager';
import type { SubscriptionRule } from '../broker/rules';
import { TopicEntity, type Subscription } from '../broker/topicEntity';
import type { CorrelationFilter, RuleDefinition, RuleFilterDefinition } from '../sql';
import { wireText } from './wireText';

/**
 * `$management` operations of ServiceBusRuleManager (add-rule, remove-rule, enumerate-rules)
 * on a subscription's management link: AMQP maps in, described rule descriptions out.
 */

type Body = Record<string, unknown>;
type RuleOperation = (body: Body, target: ResolvedAddress) => { status?: number; body?: unknown };

/** Descriptor codes of the rule description types (Microsoft's AMQP request/response spec). */
const DESCRIPTOR = {
  ruleDescription: 0x0000013700000004,
  emptyAction: 0x0000013700000005,
  sqlAction: 0x0000013700000006,
  sqlFilter: 0x0000001370000006,
  trueFilter: 0x0000001370000007,
  falseFilter: 0x0000001370000008,
  correlationFilter: 0x0000001370000009,
};

/** Correlation filter fields in the order of the described list, with their AMQP map keys. */
const CORRELATION_FIELDS = [
  ['correlationId', 'correlation-id'],
  ['messageId', 'message-id'],
  ['to', 'to'],
  ['replyTo', 'reply-to'],
  ['label', 'label'],
  ['sessionId', 'session-id'],
  ['replyToSessionId', 'reply-to-session-id'],
  ['contentType', 'content-type'],
] as const;

function subscriptionOf(target: ResolvedAddress): Subscription {
  const subscription =
    target.entity instanceof TopicEntity && target.store && !target.deadLetter
      ? [...target.entity.subscriptions.values()].find((candidate) => candidate.store === target.store)
      : undefined;
  if (!subscription) {
    throw new BrokerError(
      'InvalidOperation',
      `'${target.path}' is not a subscription: rules belong to subscriptions.`,
    );
  }
  return subscription;
}

function map(value: unknown): Body {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value)
    ? (value as Body)
    : {};
}

const optionalText = wireText;

function correlationFrom(input: Body): CorrelationFilter {
  const filter: CorrelationFilter = {};
  for (const [field, key] of CORRELATION_FIELDS) {
    const value = optionalText(input[key]);
    if (value !== undefined) filter[field] = value;
  }
  const properties: Record<string, string | number | boolean | Date> = {};
  for (const [key, value] of Object.entries(map(input.properties))) {
    if (
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      value instanceof Date
    )
      properties[key] = value;
  }
  if (Object.keys(properties).length > 0) filter.properties = properties;
  return filter;
}

/** The add-rule request's rule-description map as a rule definition. */
export function definitionFromRequest(name: string, description: Body): RuleDefinition {
  let filter: RuleFilterDefinition;
  if (description['sql-filter'] !== undefined && description['sql-filter'] !== null) {
    filter = { type: 'sql', expression: wireText(map(description['sql-filter']).expression) ?? '' };
  } else if (description['correlation-filter'] !== undefined && description['correlation-filter'] !== null) {
    filter = { type: 'correlation', filter: correlationFrom(map(description['correlation-filter'])) };
  } else {
    throw new BrokerError(
      'ArgumentError',
      `Rule '${name}': the rule description needs a sql-filter or a correlation-filter.`,
    );
  }
  const action = optionalText(map(description['sql-rule-action']).expression)?.trim();
  return { name, filter, action: action ? { expression: action } : undefined };
}

function described(code: number, fields: unknown[]): unknown {
  return types.described(types.wrap_ulong(code), types.wrap_list(fields));
}

function text(value: string | undefined): unknown {
  return value === undefined ? null : types.wrap_string(value);
}

function encodeFilter(filter: RuleFilterDefinition): unknown {
  switch (filter.type) {
    case 'true':
      return described(DESCRIPTOR.trueFilter, []);
    case 'false':
      return described(DESCRIPTOR.falseFilter, []);
    case 'sql':
      return described(DESCRIPTOR.sqlFilter, [types.wrap_string(filter.expression)]);
    case 'correlation': {
      const f = filter.filter;
      // The SDK decodes the properties entry as a map even when there are none.
      const fields = CORRELATION_FIELDS.map(([field]) =>
        text(field === 'label' ? (f.label ?? f.subject) : f[field]),
      );
      return described(DESCRIPTOR.correlationFilter, [...fields, types.wrap_map(f.properties ?? {})]);
    }
  }
}

/** A rule as enumerate-rules describes it: described list [filter, action, name]. */
export function encodeRule(rule: SubscriptionRule): unknown {
  const { definition } = rule;
  const action = definition.action
    ? described(DESCRIPTOR.sqlAction, [types.wrap_string(definition.action.expression)])
    : described(DESCRIPTOR.emptyAction, []);
  return described(DESCRIPTOR.ruleDescription, [
    encodeFilter(definition.filter),
    action,
    types.wrap_string(rule.name),
  ]);
}

function count(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

export const ruleOperations: Record<string, RuleOperation> = {
  'com.microsoft:add-rule': (body, target) => {
    const name = wireText(body['rule-name']) ?? '';
    addRule(subscriptionOf(target), definitionFromRequest(name, map(body['rule-description'])));
    return {};
  },
  'com.microsoft:remove-rule': (body, target) => {
    removeRule(subscriptionOf(target), wireText(body['rule-name']) ?? '');
    return {};
  },
  'com.microsoft:enumerate-rules': (body, target) => {
    const page = listRules(
      subscriptionOf(target),
      count(body.skip, 0),
      count(body.top, Number.MAX_SAFE_INTEGER),
    );
    if (page.length === 0) return { status: 204 };
    return { body: { rules: page.map((rule) => ({ 'rule-description': encodeRule(rule) })) } };
  },
};
