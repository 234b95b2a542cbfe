import { ConfigError } from '../config/load';
import type { RuleConfig } from '../config/schema';
import { compileRule, fromEmulatorRuleConfig, RuleConfigError } from '../sql';
import { MAX_RULE_NAME_LENGTH } from './ruleManager';
import type { SubscriptionRule } from './rules';

/** Compiles a SQL filter (and optional action) into a rule; supplied by the SQL module when present. */
export type SqlRuleCompiler = (name: string, filter: string, action: string | undefined) => SubscriptionRule;

/**
 * One Config.json rule (Sql or Correlation filter, optional SQL action) as a compiled rule.
 * Throws ConfigError naming `where` and, for a SQL syntax error, its position.
 */
export function ruleFromConfig(
  rule: RuleConfig,
  where: string,
  compileSql?: SqlRuleCompiler,
): SubscriptionRule {
  try {
    const definition = fromEmulatorRuleConfig(rule);
    if (definition.name.length > MAX_RULE_NAME_LENGTH) {
      throw new ConfigError(
        `${where}: rule name '${definition.name}' is longer than ${MAX_RULE_NAME_LENGTH} characters`,
      );
    }
    if (definition.filter.type === 'sql' && compileSql) {
      return compileSql(definition.name, definition.filter.expression, definition.action?.expression);
    }
    return compileRule(definition);
  } catch (error) {
    if (error instanceof RuleConfigError) throw new ConfigError(`${where}: ${error.message}`);
    throw error;
  }
}

/** Subscription rule names are unique (case-insensitively, as entity names in Service Bus). */
export function assertUniqueRuleNames(rules: readonly SubscriptionRule[], where: string): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    const key = rule.name.toLowerCase();
    if (seen.has(key)) throw new ConfigError(`${where}: duplicate rule name '${rule.name}'`);
    seen.add(key);
  }
}
