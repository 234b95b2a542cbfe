import { compileSqlFilter, SqlEvaluationError, SqlSyntaxError } from '../../../local/servicebus-emulator/sql';
import { message, matches } from './helpers';

describe('property names', () => {
  it('defaults to user scope; user. and sys. select the scope', () => {
    const msg = message({ Label: 'from-user' }, { label: 'from-sys' });
    expect(matches("Label = 'from-user'", msg)).toBe(true);
    expect(matches("user.Label = 'from-user'", msg)).toBe(true);
    expect(matches("sys.Label = 'from-sys'", msg)).toBe(true);
  });

  it('matches names case-insensitively, preferring the exact spelling', () => {
    const msg = message(
      { Color: 'red', color: 'blue', SuperHero: 'SuperMan Returns' },
      { correlationId: 'c' },
    );
    expect(matches("COLOR = 'red' OR COLOR = 'blue'", msg)).toBe(true);
    expect(matches("Color = 'red'", msg)).toBe(true);
    expect(matches("color = 'blue'", msg)).toBe(true);
    expect(matches("USER.superhero LIKE 'SuperMan%'", msg)).toBe(true);
    expect(matches("SYS.correlationid = 'c'", msg)).toBe(true);
    expect(matches("Sys.CorrelationID = 'c'", msg)).toBe(true);
  });

  it('reads [delimited] and "quoted" identifiers, with doubled closers', () => {
    const msg = message({
      'Property With Space': 1,
      'HR-EmployeeID': 'e1',
      'Contoso & Northwind': true,
      'http://schemas.microsoft.com/xrm/2011/Claims/EntityLogicalName': 'account',
      'a]b': 2,
      'say "hi"': 3,
      AND: 4,
    });
    expect(matches('[Property With Space] = 1', msg)).toBe(true);
    expect(matches("[HR-EmployeeID] = 'e1'", msg)).toBe(true);
    expect(matches('"Contoso & Northwind" = TRUE', msg)).toBe(true);
    expect(
      matches('"http://schemas.microsoft.com/xrm/2011/Claims/EntityLogicalName" = \'account\'', msg),
    ).toBe(true);
    expect(matches('[a]]b] = 2', msg)).toBe(true);
    expect(matches('"say ""hi""" = 3', msg)).toBe(true);
    expect(matches('user.[and] = 4', msg)).toBe(true); // keywords only as delimited names
    expect(matches('EXISTS("property with space")', msg)).toBe(true);
  });

  it('reads Unicode letters and digits in regular identifiers', () => {
    expect(matches("größe_2 = 'L'", message({ größe_2: 'L' }))).toBe(true);
  });

  it('reads every system property', () => {
    const enqueued = new Date('2024-05-01T10:00:00Z');
    const msg = message(
      {},
      {
        messageId: 'm1',
        correlationId: 'c1',
        to: 't',
        replyTo: 'r',
        label: 'l',
        sessionId: 's',
        replyToSessionId: 'rs',
        contentType: 'application/json',
        sequenceNumber: 42,
        enqueuedTimeUtc: enqueued,
        scheduledEnqueueTimeUtc: enqueued,
        timeToLive: 60000,
        deliveryCount: 1,
        size: 123,
      },
    );
    const expectations = [
      "sys.MessageId = 'm1'",
      "sys.CorrelationId = 'c1'",
      "sys.To = 't'",
      "sys.ReplyTo = 'r'",
      "sys.Label = 'l'",
      "sys.Subject = 'l'",
      "sys.SessionId = 's'",
      "sys.ReplyToSessionId = 'rs'",
      "sys.ContentType LIKE '%json'",
      'sys.SequenceNumber = 42',
      'sys.SequenceNumber / 5 = 8',
      'sys.TimeToLive = 60000',
      'sys.DeliveryCount = 1',
      'sys.Size > 100',
      'sys.EnqueuedTimeUtc = sys.ScheduledEnqueueTimeUtc',
    ];
    for (const expression of expectations)
      expect([expression, matches(expression, msg)]).toEqual([expression, true]);
  });

  it('reads the optional extras, deriving ExpiresAtUtc from EnqueuedTimeUtc + TimeToLive', () => {
    const enqueued = new Date('2024-05-01T10:00:00Z');
    const msg = message(
      { expiry: new Date('2024-05-01T10:01:00Z') },
      { enqueuedTimeUtc: enqueued, timeToLive: 60000, partitionKey: 'pk' },
    );
    expect(matches('sys.ExpiresAtUtc = expiry', msg)).toBe(true);
    expect(matches("sys.PartitionKey = 'pk'", msg)).toBe(true);
    expect(matches('sys.DeadLetterSource IS NULL AND sys.EnqueuedSequenceNumber IS NULL', msg)).toBe(true);
    expect(matches('sys.ExpiresAtUtc IS NULL', message({}, { enqueuedTimeUtc: enqueued }))).toBe(true);
  });

  it('rejects an unknown system property when compiling', () => {
    expect(() => compileSqlFilter("sys.Nope = 'x'")).toThrow(SqlSyntaxError);
    expect(() => compileSqlFilter("sys.Nope = 'x'")).toThrow(
      "Syntax error at position 4 near 'Nope': unknown system property",
    );
  });
});

describe('functions and parameters', () => {
  it('property(name) and p(name) read a property by computed name', () => {
    const msg = message({ color: 'red', which: 'color', 'odd name': 1 }, { label: 'L' });
    expect(matches("property('color') = 'red'", msg)).toBe(true);
    expect(matches("P('COLOR') = 'red'", msg)).toBe(true);
    expect(matches("p(which) = 'red'", msg)).toBe(true);
    expect(matches("p('odd name') = 1", msg)).toBe(true);
    expect(matches("property('sys.Label') = 'L'", msg)).toBe(true);
    expect(matches("property('user.color') = 'red'", msg)).toBe(true);
    expect(matches("p('missing') IS NULL", msg)).toBe(true);
  });

  it('property() fails at evaluation for a non-string name or an unknown system property', () => {
    expect(() => compileSqlFilter('p(1) = 1')(message())).toThrow(SqlEvaluationError);
    expect(() => compileSqlFilter("p('sys.Nope') = 1")(message())).toThrow(SqlEvaluationError);
  });

  it('newid() returns a fresh GUID string each time', () => {
    expect(matches("newid() LIKE '________-____-____-____-____________'")).toBe(true);
    expect(matches('newid() = newid()')).toBe(false);
    expect(matches('NEWID() IS NOT NULL')).toBe(true);
  });

  it('binds @parameters, with or without @ in the map and in any case', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    const filter = compileSqlFilter('source = @stringParam AND created < @dtParam AND n >= @min', {
      '@stringParam': 'orders',
      DTPARAM: at,
      min: 3,
    });
    expect(filter(message({ source: 'orders', created: new Date('2023-12-31T00:00:00Z'), n: 3 }))).toBe(true);
    expect(filter(message({ source: 'orders', created: new Date('2024-01-02T00:00:00Z'), n: 3 }))).toBe(
      false,
    );
    expect(() => compileSqlFilter('a = @nope')).toThrow(
      "Syntax error at position 4 near '@nope': parameter is not defined",
    );
  });

  it('rejects unknown functions', () => {
    expect(() => compileSqlFilter('upper(a) = 1')).toThrow(
      "Syntax error at position 0 near 'upper': unknown function",
    );
  });
});
