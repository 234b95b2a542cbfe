import { Webhook } from 'standardwebhooks';
import { signDelivery } from '../../../shared/delivery/signing';
import { generateSigningSecret } from '../../../shared/subscriptions/signingSecret';

describe('signDelivery', () => {
  const secret = generateSigningSecret();
  const body = JSON.stringify({ specversion: '1.0', id: 'e-1', source: '/s', type: 't', data: { a: 'é' } });

  it('produces headers that verify with the standardwebhooks Webhook.verify', () => {
    const headers = signDelivery({ secrets: [secret], webhookId: 'dlv_123', body });
    expect(headers['webhook-id']).toBe('dlv_123');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('fails verification for a changed body or another secret', () => {
    const headers = signDelivery({ secrets: [secret], webhookId: 'dlv_123', body });
    expect(() => new Webhook(secret).verify(body.replace('é', 'e'), { ...headers })).toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, { ...headers })).toThrow();
  });

  it('keeps the webhook-id across attempts and stamps each attempt with its own time', () => {
    const first = signDelivery({
      secrets: [secret],
      webhookId: 'dlv_1',
      body,
      timestamp: new Date('2026-01-01T00:00:00Z'),
    });
    const retry = signDelivery({
      secrets: [secret],
      webhookId: 'dlv_1',
      body,
      timestamp: new Date('2026-01-01T00:00:10Z'),
    });
    expect(retry['webhook-id']).toBe(first['webhook-id']);
    expect(first['webhook-timestamp']).toBe('1767225600');
    expect(retry['webhook-timestamp']).toBe('1767225610');
    expect(retry['webhook-signature']).not.toBe(first['webhook-signature']);
  });
});

describe('signDelivery during a secret rotation', () => {
  const current = generateSigningSecret();
  const previous = generateSigningSecret();
  const body = JSON.stringify({ specversion: '1.0', id: 'e-2', source: '/s', type: 't' });

  it('carries one space-separated signature per secret, each verifying with standardwebhooks', () => {
    const headers = signDelivery({ secrets: [current, previous], webhookId: 'dlv_9', body });
    expect(headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
    expect(new Webhook(current).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSigningSecret()).verify(body, { ...headers })).toThrow();
  });

  it('refuses to sign with no secret at all', () => {
    expect(() => signDelivery({ secrets: [], webhookId: 'dlv_9', body })).toThrow();
  });
});

describe('generateSigningSecret', () => {
  it('is whsec_ + base64 of 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateSigningSecret()).not.toBe(secret);
  });
});
