import {
  isValidSubscriptionName,
  validateSubscriptionName,
} from '../../../shared/subscriptions/subscriptionName';

describe('subscription names', () => {
  it.each(['orders', 'a', 'Orders-v2.audit_1', 'x'.repeat(64)])('accepts %s', (name) => {
    expect(isValidSubscriptionName(name)).toBe(true);
    expect(validateSubscriptionName(name)).toEqual([]);
  });

  it.each(['', '-orders', '.hidden', 'a/b', 'a b', 'ä', 'x'.repeat(65), 42, undefined])(
    'rejects %p',
    (name) => {
      expect(isValidSubscriptionName(name)).toBe(false);
      expect(validateSubscriptionName(name)).toEqual([
        { field: 'name', message: expect.stringContaining('1-64 characters') },
      ]);
    },
  );
});
