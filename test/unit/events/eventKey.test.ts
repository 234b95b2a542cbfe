import { createHash } from 'node:crypto';

import { eventKey, isEventKey } from '../../../shared/events/eventKey';

describe('eventKey', () => {
  it('is stable across calls and releases (pinned value)', () => {
    // Pinned: changing the derivation would break idempotency for events already recorded.
    const expected = createHash('sha256')
      .update('orders\nhttps://shop.example.com/orders\nA234-1234-1234')
      .digest()
      .subarray(0, 24)
      .toString('base64url');
    expect(eventKey('orders', 'https://shop.example.com/orders', 'A234-1234-1234')).toBe(expected);
    expect(eventKey('orders', 'https://shop.example.com/orders', 'A234-1234-1234')).toBe(
      'v0YaFuJczESGXAR_vAeEqfZnAZxfZgzr',
    );
  });

  it('is 32 URL-safe characters', () => {
    for (const [topic, source, id] of [
      ['t', '/', '1'],
      ['orders.eu-west', 'urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66', 'é/#?'],
    ] as const) {
      const key = eventKey(topic, source, id);
      expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(isEventKey(key)).toBe(true);
      expect(encodeURIComponent(key)).toBe(key);
    }
  });

  it('differs when topic, source or id differ, including where the separator falls', () => {
    const keys = [
      eventKey('orders', '/s', '1'),
      eventKey('orders2', '/s', '1'),
      eventKey('orders', '/s2', '1'),
      eventKey('orders', '/s', '2'),
      eventKey('orders', '/s\n1', ''),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('isEventKey rejects other strings', () => {
    expect(isEventKey('short')).toBe(false);
    expect(isEventKey('a'.repeat(31) + '/')).toBe(false);
  });
});
