import type { RuleProperties, ServiceBusRuleManager } from '@azure/service-bus';
import { ConfigError, start } from '../../../local/servicebus-emulator';
import { getFreePort } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';
import { drain } from '../../support/drain';

let h: Harness;

const sql = (Name: string, SqlExpression: string, action?: string) => ({
  Name,
  Properties: {
    FilterType: 'Sql' as const,
    SqlFilter: { SqlExpression },
    ...(action ? { Action: { SqlExpression: action } } : {}),
  },
});

beforeAll(async () => {
  h = await startHarness(
    configWith({}, [
      {
        Name: 'shop',
        Subscriptions: [
          { Name: 'big-red', Rules: [sql('big-red', "color = 'red' AND quantity > 5")] },
          {
            Name: 'relabel',
            Rules: [
              sql(
                'orders',
                "sys.Label LIKE 'order.%'",
                "SET sys.CorrelationId = 'routed'; SET region = 'eu'; REMOVE secret",
              ),
            ],
          },
          {
            Name: 'multi',
            Rules: [
              sql('red', "color = 'red'"),
              sql('big', 'quantity > 5'),
              sql('tag', "color = 'red'", 'SET tagged = TRUE'),
            ],
          },
          { Name: 'ratio', Rules: [sql('ratio', '10 / quantity > 1')] },
          {
            Name: 'corr',
            Rules: [
              {
                Name: 'all-fields',
                Properties: {
                  FilterType: 'Correlation',
                  CorrelationFilter: {
                    CorrelationId: 'c-1',
                    MessageId: 'm-1',
                    To: 'to-1',
                    ReplyTo: 'reply-1',
                    Label: 'l-1',
                    ContentType: 'text/plain',
                    ReplyToSessionId: 'rs-1',
                    Properties: { n: 10 },
                  },
                },
              },
            ],
          },
          { Name: 'managed' },
          {
            Name: 'system-set',
            Rules: [
              sql(
                'expiring',
                "sys.To = 'short'",
                "SET sys.TimeToLive = 60000; SET sys.To = 'shortened'; REMOVE sys.ReplyTo; SET sys.Subject = 'now ' + sys.Label",
              ),
            ],
          },
        ],
      },
    ]),
  );
});
afterAll(() => h.close());

const receive = (subscription: string, expected: number) =>
  drain(h.client.createReceiver('shop', subscription, { receiveMode: 'receiveAndDelete' }), expected, {
    close: true,
  });

describe('SQL and correlation rules from Config.json', () => {
  it('copies a message only to subscriptions whose SQL filter is TRUE', async () => {
    await h.client.createSender('shop').sendMessages([
      { body: 'a', applicationProperties: { color: 'red', quantity: 10 } },
      { body: 'b', applicationProperties: { color: 'red', quantity: 2 } },
      { body: 'c', applicationProperties: { color: 'blue', quantity: 10 } },
      { body: 'd', applicationProperties: { color: 'red' } },
    ]);
    expect((await receive('big-red', 1)).map((m) => m.body)).toEqual(['a']);
    // 'ratio' (10 / quantity > 1): quantity 10 -> 1 > 1 false; 2 -> true; the missing one is unknown.
    expect((await receive('ratio', 1)).map((m) => m.body)).toEqual(['b']);
    const multi = await receive('multi', 7);
    await receive('managed', 4);
    // One plain copy for the matching rules without action, one per matching rule with an action.
    const copies = multi.map((m) => `${String(m.body)}:${String(m.applicationProperties?.RuleName ?? '-')}`);
    expect(copies.sort()).toEqual(['a:-', 'a:tag', 'b:-', 'b:tag', 'c:-', 'd:-', 'd:tag']);
    expect(
      multi.find((m) => m.applicationProperties?.RuleName === 'tag')?.applicationProperties?.tagged,
    ).toBe(true);
  });

  it('treats integer division by zero as no match and keeps routing', async () => {
    await h.client.createSender('shop').sendMessages([
      { body: 'zero', applicationProperties: { quantity: 0 } },
      { body: 'five', applicationProperties: { quantity: 5 } },
    ]);
    expect((await receive('ratio', 1)).map((m) => m.body)).toEqual(['five']);
    await receive('managed', 2);
  });

  it('applies a SQL action to system and application properties of the copy only', async () => {
    await h.client.createSender('shop').sendMessages({
      body: 'o',
      subject: 'order.created',
      correlationId: 'original',
      applicationProperties: { secret: 's3cret', keep: 1 },
    });
    const [copy] = await receive('relabel', 1);
    expect(copy).toMatchObject({ body: 'o', subject: 'order.created', correlationId: 'routed' });
    expect(copy!.applicationProperties).toEqual({ keep: 1, region: 'eu', RuleName: 'orders' });
    const [plain] = await receive('managed', 1);
    expect(plain).toMatchObject({
      correlationId: 'original',
      applicationProperties: { secret: 's3cret', keep: 1 },
    });
  });

  it('matches correlation filters on every system property and on application properties', async () => {
    const matching = {
      body: 'match',
      correlationId: 'c-1',
      messageId: 'm-1',
      to: 'to-1',
      replyTo: 'reply-1',
      subject: 'l-1',
      contentType: 'text/plain',
      replyToSessionId: 'rs-1',
      applicationProperties: { n: 10 },
    };
    await h.client
      .createSender('shop')
      .sendMessages([
        matching,
        { ...matching, body: 'wrong-to', messageId: 'm-2', to: 'to-2' },
        { ...matching, body: 'wrong-prop', messageId: 'm-3', applicationProperties: { n: '10' } },
        { ...matching, body: 'wrong-id', messageId: 'm-1b' },
      ]);
    expect((await receive('corr', 1)).map((m) => m.body)).toEqual(['match']);
    await receive('managed', 4);
  });

  it('lets an action set and remove system properties, time to live included', async () => {
    await h.client
      .createSender('shop')
      .sendMessages({ body: 'ttl', to: 'short', replyTo: 'someone', subject: 'x', timeToLive: 3_600_000 });
    const [copy] = await receive('system-set', 1);
    expect(copy).toMatchObject({ body: 'ttl', to: 'shortened', subject: 'now x', timeToLive: 60_000 });
    expect(copy!.replyTo).toBeUndefined();
    expect(copy!.expiresAtUtc!.getTime() - copy!.enqueuedTimeUtc!.getTime()).toBe(60_000);
    await receive('managed', 1);
  });
});

async function listed(manager: ServiceBusRuleManager): Promise<RuleProperties[]> {
  const rules: RuleProperties[] = [];
  for await (const rule of manager.listRules()) rules.push(rule);
  return rules;
}

describe('ServiceBusRuleManager', () => {
  it('describes the rules from Config.json, correlation fields included', async () => {
    const rules = await listed(h.client.createRuleManager('shop', 'corr'));
    expect(rules).toEqual([
      {
        name: 'all-fields',
        filter: {
          correlationId: 'c-1',
          messageId: 'm-1',
          to: 'to-1',
          replyTo: 'reply-1',
          subject: 'l-1',
          sessionId: null,
          replyToSessionId: 'rs-1',
          contentType: 'text/plain',
          applicationProperties: { n: 10 },
        },
        action: {},
      },
    ]);
  });

  it('lists, creates and deletes rules, and routing follows at once', async () => {
    const manager = h.client.createRuleManager('shop', 'managed');
    expect(await listed(manager)).toEqual([
      { name: '$Default', filter: { sqlExpression: '1=1' }, action: {} },
    ]);
    await manager.createRule(
      'vip',
      { sqlExpression: 'tier >= 3' },
      { sqlExpression: "SET sys.Label = 'vip'" },
    );
    await manager.createRule('eu', {
      correlationId: 'eu-corr',
      applicationProperties: { region: 'eu', level: 2 },
    });
    await manager.deleteRule('$Default');
    const rules = await listed(manager);
    expect(rules).toEqual([
      {
        name: 'vip',
        filter: { sqlExpression: 'tier >= 3' },
        action: { sqlExpression: "SET sys.Label = 'vip'" },
      },
      expect.objectContaining({
        name: 'eu',
        filter: expect.objectContaining({
          correlationId: 'eu-corr',
          applicationProperties: { region: 'eu', level: 2 },
        }),
      }),
    ]);
    const firstPage = (await manager.listRules().byPage({ maxPageSize: 1 }).next()).value as RuleProperties[];
    expect(firstPage.map((rule) => rule.name)).toEqual(['vip']);

    await h.client.createSender('shop').sendMessages([
      { body: 'gold', applicationProperties: { tier: 3 } },
      { body: 'basic', applicationProperties: { tier: 1 } },
      { body: 'eu', correlationId: 'eu-corr', applicationProperties: { region: 'eu', level: 2.0 } },
    ]);
    const got = await receive('managed', 2);
    expect(got.map((m) => [m.body, m.subject])).toEqual([
      ['gold', 'vip'],
      ['eu', undefined],
    ]);
  });

  it('refuses a duplicate rule name with 409, a bad SQL expression naming the position, a missing rule with 404', async () => {
    const manager = h.client.createRuleManager('shop', 'managed');
    await manager.createRule('dup', { sqlExpression: '1=0' });
    const duplicate = await manager.createRule('DUP', { sqlExpression: '1=1' }).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: 'MessagingEntityAlreadyExists' });
    expect(String(duplicate)).toContain("shop/Subscriptions/managed/Rules/DUP' already exists");

    const syntax = await manager
      .createRule('bad', { sqlExpression: "color = 'red' AND AND" })
      .catch((e: unknown) => e);
    expect(syntax).toBeInstanceOf(Error);
    expect((syntax as Error).message).toMatch(/Syntax error at position 18 near 'AND'/);
    const badAction = await manager
      .createRule('bad', { sqlExpression: '1=1' }, { sqlExpression: 'SET = 1' })
      .catch((e: unknown) => e);
    expect((badAction as Error).message).toMatch(/Action: Syntax error at position 4/);
    const names = [];
    for await (const rule of manager.listRules()) names.push(rule.name);
    expect(names).not.toContain('bad');

    const missing = await manager.deleteRule('nope').catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'MessagingEntityNotFound' });
    await manager.deleteRule('dup');
  });
});

describe('rule configuration errors', () => {
  it('refuses to start with a bad SQL filter, naming the rule and the position', async () => {
    const config = configWith({}, [
      { Name: 't', Subscriptions: [{ Name: 's', Rules: [sql('broken', 'a = = 1')] }] },
    ]);
    const failure = await start({ config, port: await getFreePort(), httpPort: 0 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect(String((failure as Error).message)).toContain(
      "Topics[0].Subscriptions[0].Rules[0].Properties: Rule 'broken' SqlFilter: Syntax error at position 4 near '='",
    );
  });

  it('refuses duplicate or too long rule names and a Correlation rule without its filter', async () => {
    const long = configWith({}, [
      { Name: 't', Subscriptions: [{ Name: 's', Rules: [sql('r'.repeat(51), '1=1')] }] },
    ]);
    await expect(start({ config: long, port: await getFreePort(), httpPort: 0 })).rejects.toThrow(
      'is longer than 50 characters',
    );
    const duplicate = configWith({}, [
      { Name: 't', Subscriptions: [{ Name: 's', Rules: [sql('x', '1=1'), sql('X', '1=0')] }] },
    ]);
    await expect(start({ config: duplicate, port: await getFreePort(), httpPort: 0 })).rejects.toThrow(
      "duplicate rule name 'X'",
    );
    const noFilter = configWith({}, [
      {
        Name: 't',
        Subscriptions: [{ Name: 's', Rules: [{ Name: 'c', Properties: { FilterType: 'Correlation' } }] }],
      },
    ]);
    await expect(start({ config: noFilter, port: await getFreePort(), httpPort: 0 })).rejects.toThrow(
      /Rule 'c': FilterType Correlation needs CorrelationFilter/,
    );
  });
});
