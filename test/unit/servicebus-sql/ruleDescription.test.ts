import {
  compileEmulatorRule,
  compileRule,
  defaultRule,
  fromEmulatorRuleConfig,
  RuleConfigError,
  SqlSyntaxError,
  toEmulatorRuleConfig,
  type EmulatorRuleConfig,
} from '../../../local/servicebus-emulator/sql';
import { message } from './helpers';

describe('Config.json rules', () => {
  const sqlRule: EmulatorRuleConfig = {
    Name: 'RedOrdersWithAction',
    Properties: {
      FilterType: 'Sql',
      SqlFilter: { SqlExpression: "user.color='red'" },
      Action: {
        SqlExpression: "SET quantity = quantity / 2; REMOVE priority;SET sys.CorrelationId = 'low';",
      },
    },
  };
  const correlationRule: EmulatorRuleConfig = {
    Name: 'HighPriorityRedOrders',
    Properties: {
      FilterType: 'Correlation',
      CorrelationFilter: { Label: 'red', CorrelationId: 'high', Properties: { quantity: 10 } },
    },
  };

  it('compiles a SQL rule with an action', () => {
    const rule = compileEmulatorRule(sqlRule);
    expect(rule.name).toBe('RedOrdersWithAction');
    const red = message({ color: 'red', quantity: 5, priority: 'low' });
    expect(rule.filter(red)).toBe(true);
    expect(rule.filter(message({ color: 'blue' }))).toBe(false);
    expect(rule.action?.(red)).toEqual({
      system: { correlationId: 'low' },
      user: { color: 'red', quantity: 2 },
    });
  });

  it('compiles a correlation rule', () => {
    const rule = compileEmulatorRule(correlationRule);
    expect(rule.action).toBeUndefined();
    expect(rule.filter(message({ quantity: 10 }, { label: 'red', correlationId: 'high' }))).toBe(true);
    expect(rule.filter(message({ quantity: 5 }, { label: 'red', correlationId: 'high' }))).toBe(false);
    expect(rule.filter(message({ quantity: 10 }, { label: 'blue', correlationId: 'high' }))).toBe(false);
  });

  it('round-trips through the definition', () => {
    for (const config of [sqlRule, correlationRule]) {
      expect(toEmulatorRuleConfig(fromEmulatorRuleConfig(config))).toEqual(config);
    }
  });

  it('drops an empty action', () => {
    const rule = fromEmulatorRuleConfig({
      Name: 'r',
      Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' }, Action: { SqlExpression: '  ' } },
    });
    expect(rule.action).toBeUndefined();
    expect(compileRule(rule).action).toBeUndefined();
  });

  it('writes true and false filters as 1=1 and 1=0, and the default rule matches everything', () => {
    expect(toEmulatorRuleConfig(defaultRule())).toEqual({
      Name: '$Default',
      Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } },
    });
    expect(toEmulatorRuleConfig({ name: 'none', filter: { type: 'false' } }).Properties.SqlFilter).toEqual({
      SqlExpression: '1=0',
    });
    expect(compileRule(defaultRule()).filter(message())).toBe(true);
    expect(compileRule({ name: 'none', filter: { type: 'false' } }).filter(message())).toBe(false);
  });

  it('writes a correlation subject as Label', () => {
    const config = toEmulatorRuleConfig({
      name: 'c',
      filter: { type: 'correlation', filter: { subject: 's' } },
    });
    expect(config.Properties.CorrelationFilter).toEqual({ Label: 's' });
  });

  it('passes SQL parameters from a definition', () => {
    const rule = compileRule({
      name: 'p',
      filter: { type: 'sql', expression: 'source = @src', parameters: { src: 'orders' } },
    });
    expect(rule.filter(message({ source: 'orders' }))).toBe(true);
  });

  it.each([
    [{ Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: '1=1' } } }, 'Invalid rule: Name'],
    [{ Name: 'r', Properties: { FilterType: 'Boolean' } }, 'Invalid rule: Properties.FilterType'],
    [
      { Name: 'r', Properties: { FilterType: 'Sql' } },
      "Rule 'r': FilterType Sql needs SqlFilter.SqlExpression",
    ],
    [
      { Name: 'r', Properties: { FilterType: 'Correlation' } },
      "Rule 'r': FilterType Correlation needs CorrelationFilter",
    ],
    [
      { Name: 'r', Properties: { FilterType: 'Correlation', CorrelationFilter: { Properties: { a: [1] } } } },
      'Invalid rule: Properties.CorrelationFilter.Properties.a',
    ],
    [
      { Name: 'r', Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: 'a = ' } } },
      "Rule 'r' SqlFilter: Syntax error at position 4 near end of input: expected an expression",
    ],
    [
      {
        Name: 'r',
        Properties: {
          FilterType: 'Sql',
          SqlFilter: { SqlExpression: '1=1' },
          Action: { SqlExpression: 'SET sys.Size = 1' },
        },
      },
      "Rule 'r' Action: Syntax error at position 4 near 'sys'",
    ],
  ])('rejects %j', (config, problem) => {
    expect(() => compileEmulatorRule(config)).toThrow(RuleConfigError);
    expect(() => compileEmulatorRule(config)).toThrow(problem);
  });

  it('keeps the SqlSyntaxError as the cause', () => {
    try {
      compileEmulatorRule({
        Name: 'r',
        Properties: { FilterType: 'Sql', SqlFilter: { SqlExpression: 'a = AND' } },
      });
      throw new Error('expected a RuleConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(RuleConfigError);
      expect((error as RuleConfigError).cause).toBeInstanceOf(SqlSyntaxError);
      expect(((error as RuleConfigError).cause as SqlSyntaxError).position).toBe(4);
    }
  });
});
