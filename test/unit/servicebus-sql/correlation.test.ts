import { matchesCorrelationFilter } from '../../../local/servicebus-emulator/sql';
import { message } from './helpers';

describe('correlation filters', () => {
  const msg = message(
    { color: 'Red', quantity: 10, urgent: true, price: 2.5 },
    {
      correlationId: 'high',
      messageId: 'm1',
      to: 'orders',
      replyTo: 'johndoe@contoso.com',
      label: 'Important',
      sessionId: 's1',
      replyToSessionId: 'rs1',
      contentType: 'application/json',
    },
  );

  it('matches when every set system field equals the message', () => {
    expect(matchesCorrelationFilter({ correlationId: 'high' }, msg)).toBe(true);
    expect(
      matchesCorrelationFilter(
        {
          correlationId: 'high',
          messageId: 'm1',
          to: 'orders',
          replyTo: 'johndoe@contoso.com',
          label: 'Important',
          sessionId: 's1',
          replyToSessionId: 'rs1',
          contentType: 'application/json',
        },
        msg,
      ),
    ).toBe(true);
  });

  it.each([
    { correlationId: 'low' },
    { correlationId: 'HIGH' },
    { messageId: 'm2' },
    { to: 'other' },
    { replyTo: 'x' },
    { label: 'important' },
    { subject: 'Other' },
    { sessionId: 's2' },
    { replyToSessionId: 'x' },
    { contentType: 'text/plain' },
  ])('does not match %j', (filter) => {
    expect(matchesCorrelationFilter(filter, msg)).toBe(false);
  });

  it('treats subject as label', () => {
    expect(matchesCorrelationFilter({ subject: 'Important' }, msg)).toBe(true);
  });

  it('matches the docs example: label, replyTo and a user property', () => {
    expect(
      matchesCorrelationFilter(
        { label: 'Important', replyTo: 'johndoe@contoso.com', properties: { color: 'Red' } },
        msg,
      ),
    ).toBe(true);
    expect(
      matchesCorrelationFilter(
        { label: 'Important', replyTo: 'johndoe@contoso.com', properties: { color: 'red' } },
        msg,
      ),
    ).toBe(false);
  });

  it('compares user properties by value and type', () => {
    expect(matchesCorrelationFilter({ properties: { quantity: 10, urgent: true, price: 2.5 } }, msg)).toBe(
      true,
    );
    expect(matchesCorrelationFilter({ properties: { quantity: '10' } }, msg)).toBe(false);
    expect(matchesCorrelationFilter({ properties: { urgent: false } }, msg)).toBe(false);
    expect(matchesCorrelationFilter({ properties: { QUANTITY: 10 } }, msg)).toBe(true);
  });

  it('does not match when a filtered property is absent or the system field is unset', () => {
    expect(matchesCorrelationFilter({ properties: { missing: 'x' } }, msg)).toBe(false);
    expect(matchesCorrelationFilter({ correlationId: 'x' }, message())).toBe(false);
  });

  it('an empty filter matches everything', () => {
    expect(matchesCorrelationFilter({}, message())).toBe(true);
    expect(matchesCorrelationFilter({ properties: {} }, msg)).toBe(true);
  });
});
