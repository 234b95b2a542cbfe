/**
 * Service Bus subscription rules for the emulator, as pure functions: SQL filters, SQL rule
 * actions and correlation filters. Grammar and semantics follow the Service Bus docs
 * (service-bus-messaging-sql-filter, -sql-rule-action); see README.md beside this file for
 * the choices made where the docs are silent.
 */
export { compileSqlAction, compileSqlFilter } from './compile';
export { SqlEvaluationError, SqlSyntaxError } from './errors';
export { matchesCorrelationFilter, type CorrelationFilter } from './correlation';
export {
  compileEmulatorRule,
  compileRule,
  defaultRule,
  fromEmulatorRuleConfig,
  RuleConfigError,
  toEmulatorRuleConfig,
  type CompiledRule,
  type EmulatorRuleConfig,
  type RuleDefinition,
  type RuleFilterDefinition,
} from './ruleDescription';
export type { RuleMessage, RuleSystemProperties, RuleUserValue, SqlParameters } from './types';
