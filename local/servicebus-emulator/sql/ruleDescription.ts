/**
 * Rules as the official emulator's Config.json writes them, as a neutral definition, and
 * compiled into functions the broker calls per message. Pure: no I/O.
 */
import { z } from 'zod';
import { matchesCorrelationFilter, type CorrelationFilter } from './correlation';
import { SqlSyntaxError } from './errors';
import { compileSqlAction, compileSqlFilter } from './compile';
import type { RuleMessage, SqlParameters } from './types';

const configCorrelationFilter = z.object({
  CorrelationId: z.string().optional(),
  MessageId: z.string().optional(),
  To: z.string().optional(),
  ReplyTo: z.string().optional(),
  Label: z.string().optional(),
  SessionId: z.string().optional(),
  ReplyToSessionId: z.string().optional(),
  ContentType: z.string().optional(),
  Properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const configRule = z.object({
  Name: z.string().min(1),
  Properties: z.object({
    FilterType: z.enum(['Sql', 'Correlation']),
    SqlFilter: z.object({ SqlExpression: z.string() }).optional(),
    CorrelationFilter: configCorrelationFilter.optional(),
    Action: z.object({ SqlExpression: z.string() }).optional(),
  }),
});

/** One entry of Subscriptions[].Rules in the official emulator's Config.json. */
export type EmulatorRuleConfig = z.infer<typeof configRule>;

export type RuleFilterDefinition =
  | { type: 'sql'; expression: string; parameters?: SqlParameters | undefined }
  | { type: 'correlation'; filter: CorrelationFilter }
  | { type: 'true' }
  | { type: 'false' };

/** A rule independent of where it came from (Config.json, the add-rule management operation). */
export interface RuleDefinition {
  name: string;
  filter: RuleFilterDefinition;
  /** A SQL rule action; absent means the empty action. */
  action?: { expression: string; parameters?: SqlParameters | undefined } | undefined;
}

export interface CompiledRule {
  name: string;
  definition: RuleDefinition;
  filter: (message: RuleMessage) => boolean;
  action?: (message: RuleMessage) => RuleMessage;
}

/** A rule that is not valid: wrong shape or a SQL syntax error (then `cause` is the SqlSyntaxError). */
export class RuleConfigError extends Error {
  override readonly name = 'RuleConfigError';
}

/** The rule every subscription starts with. */
export function defaultRule(): RuleDefinition {
  return { name: '$Default', filter: { type: 'true' } };
}

/** Validates one Config.json rule and turns it into a definition. Throws RuleConfigError. */
export function fromEmulatorRuleConfig(input: unknown): RuleDefinition {
  const parsed = configRule.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'rule';
    throw new RuleConfigError(`Invalid rule: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { Name: name, Properties: properties } = parsed.data;
  const actionText = properties.Action?.SqlExpression.trim();
  const action = actionText ? { expression: actionText } : undefined;
  if (properties.FilterType === 'Sql') {
    if (!properties.SqlFilter)
      throw new RuleConfigError(`Rule '${name}': FilterType Sql needs SqlFilter.SqlExpression`);
    return { name, filter: { type: 'sql', expression: properties.SqlFilter.SqlExpression }, action };
  }
  const config = properties.CorrelationFilter;
  if (!config) throw new RuleConfigError(`Rule '${name}': FilterType Correlation needs CorrelationFilter`);
  const filter: CorrelationFilter = {
    correlationId: config.CorrelationId,
    messageId: config.MessageId,
    to: config.To,
    replyTo: config.ReplyTo,
    label: config.Label,
    sessionId: config.SessionId,
    replyToSessionId: config.ReplyToSessionId,
    contentType: config.ContentType,
    properties: config.Properties,
  };
  return { name, filter: { type: 'correlation', filter: withoutUndefined(filter) }, action };
}

/** The Config.json form of a definition. True/false filters become the SQL filters 1=1 / 1=0. */
export function toEmulatorRuleConfig(definition: RuleDefinition): EmulatorRuleConfig {
  const action = definition.action ? { Action: { SqlExpression: definition.action.expression } } : {};
  const { filter } = definition;
  if (filter.type !== 'correlation') {
    const expression = filter.type === 'sql' ? filter.expression : filter.type === 'true' ? '1=1' : '1=0';
    return {
      Name: definition.name,
      Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: expression }, ...action },
    };
  }
  const f = filter.filter;
  const correlation = withoutUndefined({
    CorrelationId: f.correlationId,
    MessageId: f.messageId,
    To: f.to,
    ReplyTo: f.replyTo,
    Label: f.label ?? f.subject,
    SessionId: f.sessionId,
    ReplyToSessionId: f.replyToSessionId,
    ContentType: f.contentType,
    // Config.json is JSON: a Date property is written as its ISO 8601 text.
    Properties:
      f.properties &&
      Object.fromEntries(
        Object.entries(f.properties).map(([key, value]) => [
          key,
          value instanceof Date ? value.toISOString() : value,
        ]),
      ),
  });
  return {
    Name: definition.name,
    Properties: { FilterType: 'Correlation', CorrelationFilter: correlation, ...action },
  };
}

/** Compiles a definition once; the result is called per message. Throws RuleConfigError. */
export function compileRule(definition: RuleDefinition): CompiledRule {
  const { name, filter: spec } = definition;
  const filter = withRuleName(name, 'SqlFilter', () => compileFilter(spec));
  const rule: CompiledRule = { name, definition, filter };
  const action = definition.action;
  if (action)
    rule.action = withRuleName(name, 'Action', () => compileSqlAction(action.expression, action.parameters));
  return rule;
}

/** fromEmulatorRuleConfig then compileRule. */
export function compileEmulatorRule(input: unknown): CompiledRule {
  return compileRule(fromEmulatorRuleConfig(input));
}

function compileFilter(spec: RuleFilterDefinition): (message: RuleMessage) => boolean {
  switch (spec.type) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'correlation':
      return (message) => matchesCorrelationFilter(spec.filter, message);
    case 'sql':
      return compileSqlFilter(spec.expression, spec.parameters);
  }
}

function withRuleName<T>(name: string, part: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof SqlSyntaxError)
      throw new RuleConfigError(`Rule '${name}' ${part}: ${error.message}`, { cause: error });
    throw error;
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
