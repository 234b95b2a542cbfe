import type { CorrelationFilter, RuleDefinition, RuleFilterDefinition, SqlParameters } from '../sql';
import { asNode, textOf, typeAttribute, type XmlNode } from './atomXml';
import { readText } from './descriptionFields';
import { readKeyValues, writeKeyValues, type KeyValue } from './keyValueXml';
import { withoutUndefined } from './queueXml';

/** Filter/action element types in RuleDescription, as the service names them. */
const CORRELATION_FIELDS: Array<[keyof CorrelationFilter, string]> = [
  ['correlationId', 'CorrelationId'],
  ['messageId', 'MessageId'],
  ['to', 'To'],
  ['replyTo', 'ReplyTo'],
  ['label', 'Label'],
  ['sessionId', 'SessionId'],
  ['replyToSessionId', 'ReplyToSessionId'],
  ['contentType', 'ContentType'],
];

/** A RuleDescription (from createRule/updateRule, or a subscription's DefaultRuleDescription). */
export function ruleFromXml(name: string, fields: XmlNode): RuleDefinition {
  const action = asNode(fields.Action);
  const actionText = textOf(action?.SqlExpression)?.trim();
  const actionType = typeAttribute(action);
  return withoutUndefined({
    name,
    filter: filterFromXml(asNode(fields.Filter)),
    action:
      actionText && actionType !== 'EmptyRuleAction'
        ? withoutUndefined({ expression: actionText, parameters: parameters(action?.Parameters) })
        : undefined,
  });
}

function filterFromXml(filter: XmlNode | undefined): RuleFilterDefinition {
  if (!filter) return { type: 'true' };
  const type = typeAttribute(filter);
  if (type === 'TrueFilter') return { type: 'true' };
  if (type === 'FalseFilter') return { type: 'false' };
  const expression = textOf(filter.SqlExpression);
  if (type === 'SqlFilter' || (type === undefined && expression !== undefined)) {
    return withoutUndefined({
      type: 'sql' as const,
      expression: expression ?? '',
      parameters: parameters(filter.Parameters),
    });
  }
  if (type !== undefined && type !== 'CorrelationFilter')
    throw new Error(`unsupported filter type '${type}'`);
  const correlation: CorrelationFilter = {};
  for (const [field, element] of CORRELATION_FIELDS) {
    const value = readText(filter, element);
    if (value !== undefined) correlation[field] = value as never;
  }
  const properties = readKeyValues(filter.Properties);
  if (properties) correlation.properties = properties;
  return { type: 'correlation', filter: correlation };
}

function parameters(value: XmlNode[string]): SqlParameters | undefined {
  return readKeyValues(value);
}

/** The RuleDescription the service returns. */
export function ruleContent(definition: RuleDefinition, createdAt: number): XmlNode {
  return {
    Filter: filterContent(definition.filter),
    Action: definition.action
      ? withoutUndefined({
          $: { 'i:type': 'SqlRuleAction' },
          SqlExpression: definition.action.expression,
          Parameters: writeKeyValues(
            definition.action.parameters as Record<string, KeyValue | null> | undefined,
          ),
          CompatibilityLevel: '20',
        })
      : { $: { 'i:type': 'EmptyRuleAction' } },
    CreatedAt: new Date(createdAt).toISOString(),
    Name: definition.name,
  };
}

function filterContent(filter: RuleFilterDefinition): XmlNode {
  switch (filter.type) {
    case 'true':
      return { $: { 'i:type': 'TrueFilter' }, SqlExpression: '1=1', CompatibilityLevel: '20' };
    case 'false':
      return { $: { 'i:type': 'FalseFilter' }, SqlExpression: '1=0', CompatibilityLevel: '20' };
    case 'sql':
      return withoutUndefined({
        $: { 'i:type': 'SqlFilter' },
        SqlExpression: filter.expression,
        Parameters: writeKeyValues(filter.parameters as Record<string, KeyValue | null> | undefined),
        CompatibilityLevel: '20',
      });
    case 'correlation': {
      const node: XmlNode = { $: { 'i:type': 'CorrelationFilter' } };
      for (const [field, element] of CORRELATION_FIELDS) {
        const value =
          field === 'label' ? (filter.filter.label ?? filter.filter.subject) : filter.filter[field];
        if (typeof value === 'string') node[element] = value;
      }
      const properties = writeKeyValues(filter.filter.properties);
      if (properties) node.Properties = properties;
      return node;
    }
  }
}
