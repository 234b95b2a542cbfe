import {
  compileSqlAction,
  compileSqlFilter,
  SqlEvaluationError,
  SqlSyntaxError,
} from '../../../local/servicebus-emulator/sql';
import { message } from './helpers';

describe('SQL rule actions', () => {
  it('runs the docs example: SET, REMOVE and a sys property', () => {
    const action = compileSqlAction(
      "SET quantity = quantity / 2; REMOVE priority;SET sys.CorrelationId = 'low';",
    );
    const original = message(
      { color: 'red', quantity: 5, priority: 'high' },
      { correlationId: 'high', label: 'red' },
    );
    const result = action(original);
    expect(result).toEqual({
      system: { correlationId: 'low', label: 'red' },
      user: { color: 'red', quantity: 2 },
    });
    // The input is left alone.
    expect(original.user).toEqual({ color: 'red', quantity: 5, priority: 'high' });
    expect(original.system.correlationId).toBe('high');
  });

  it('creates new user properties of every type', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    const action = compileSqlAction(
      "SET a = 'x' SET b = 1.5 SET c = TRUE SET d = NULL SET e = 7 SET f = @at",
      { at },
    );
    expect(action(message()).user).toEqual({ a: 'x', b: 1.5, c: true, d: null, e: 7, f: at });
  });

  it('runs statements in order, each seeing the ones before', () => {
    const action = compileSqlAction('SET a = 1; SET b = a + 1; SET a = b * 10; REMOVE b');
    expect(action(message()).user).toEqual({ a: 20 });
  });

  it('sets and removes user properties case-insensitively, keeping the stored spelling', () => {
    const action = compileSqlAction("SET COLOR = 'blue'; REMOVE Size");
    expect(action(message({ Color: 'red', size: 3, SIZE: 4, other: 1 })).user).toEqual({
      Color: 'blue',
      other: 1,
    });
  });

  it('sets an unknown expression as null and removing an absent property does nothing', () => {
    const action = compileSqlAction('SET copy = missing; REMOVE alsoMissing');
    expect(action(message({ kept: 1 })).user).toEqual({ kept: 1, copy: null });
  });

  it('sets the settable system properties, converting to their types', () => {
    const action = compileSqlAction(
      "SET sys.Label = 'L'; SET sys.To = 'queue-' + 1; SET sys.ReplyTo = 'r'; SET sys.SessionId = 's';" +
        "SET sys.ReplyToSessionId = 'rs'; SET sys.ContentType = 'text/plain'; SET sys.MessageId = newid();" +
        "SET sys.TimeToLive = 30000; SET sys.ScheduledEnqueueTimeUtc = '2030-01-01T00:00:00Z'",
    );
    const result = action(message({}, { sequenceNumber: 9 }));
    expect(result.system).toEqual({
      sequenceNumber: 9,
      label: 'L',
      to: 'queue-1',
      replyTo: 'r',
      sessionId: 's',
      replyToSessionId: 'rs',
      contentType: 'text/plain',
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      timeToLive: 30000,
      scheduledEnqueueTimeUtc: new Date('2030-01-01T00:00:00Z'),
    });
  });

  it('treats sys.Subject as sys.Label', () => {
    expect(compileSqlAction("SET sys.Subject = 'new'")(message({}, { label: 'old' })).system.label).toBe(
      'new',
    );
  });

  it('writes a number into a string system property as text, and NULL or REMOVE clears it', () => {
    expect(compileSqlAction('SET sys.CorrelationId = 42')(message()).system.correlationId).toBe('42');
    expect(compileSqlAction('SET sys.Label = NULL')(message({}, { label: 'x' })).system).toEqual({});
    expect(compileSqlAction('REMOVE sys.Label')(message({}, { label: 'x' })).system).toEqual({});
  });

  it('copies a system property into a user property and back', () => {
    const action = compileSqlAction('SET user.originalLabel = sys.Label; SET sys.Label = user.newLabel');
    const result = action(message({ newLabel: 'n' }, { label: 'o' }));
    expect(result.user.originalLabel).toBe('o');
    expect(result.system.label).toBe('n');
  });

  it('a rule filter then action run together as the broker would', () => {
    const filter = compileSqlFilter("user.color='red'");
    const action = compileSqlAction("SET sys.Label = 'routed'");
    const msgs = [message({ color: 'red' }), message({ color: 'blue' })];
    expect(
      msgs
        .filter(filter)
        .map(action)
        .map((m) => m.system.label),
    ).toEqual(['routed']);
  });

  it('refuses to set or remove broker-owned system properties', () => {
    for (const expression of [
      'SET sys.SequenceNumber = 1',
      'SET sys.EnqueuedTimeUtc = NULL',
      'REMOVE sys.DeliveryCount',
      'SET sys.Size = 1',
    ]) {
      expect(() => compileSqlAction(expression)).toThrow(SqlSyntaxError);
    }
    expect(() => compileSqlAction('SET sys.SequenceNumber = 1')).toThrow(
      "Syntax error at position 4 near 'sys': system property 'SequenceNumber' cannot be changed by an action",
    );
  });

  it('raises an evaluation error when a value cannot convert to a system property type', () => {
    expect(() => compileSqlAction("SET sys.TimeToLive = 'soon'")(message())).toThrow(SqlEvaluationError);
    expect(() => compileSqlAction("SET sys.ScheduledEnqueueTimeUtc = 'not a date'")(message())).toThrow(
      SqlEvaluationError,
    );
  });

  it('reports syntax errors with positions', () => {
    expect(() => compileSqlAction('')).toThrow(
      'Syntax error at position 0 near end of input: expected SET or REMOVE',
    );
    expect(() => compileSqlAction('SET a 1')).toThrow("Syntax error at position 6 near '1': expected '='");
    expect(() => compileSqlAction('SET a = 1; DELETE b')).toThrow(
      "Syntax error at position 11 near 'DELETE': expected SET or REMOVE",
    );
    expect(() => compileSqlAction('SET a = ')).toThrow(
      'Syntax error at position 8 near end of input: expected an expression',
    );
    expect(() => compileSqlAction('SET p(x) = 1')).toThrow(SqlSyntaxError);
    expect(() => compileSqlAction('SET a = 1 = 2')).toThrow(
      "Syntax error at position 10 near '=': expected SET or REMOVE",
    );
  });
});
