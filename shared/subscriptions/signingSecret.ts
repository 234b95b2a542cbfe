import { randomBytes } from 'node:crypto';
import type { SubscriptionRecord } from '../domain/types';

/** A new signing secret: `whsec_` + base64 of 32 random bytes (Standard Webhooks allows 24-64). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The secrets a delivery at `now` is signed with: the current one, and the previous one in its overlap. */
export function signingSecretsAt(
  record: SubscriptionRecord,
  now: Date,
): { current: string; previous?: string } {
  const expiresAt = record.previousSigningSecretExpiresAt;
  const previous =
    record.previousSigningSecret !== undefined &&
    expiresAt !== undefined &&
    Date.parse(expiresAt) > now.getTime()
      ? record.previousSigningSecret
      : undefined;
  return { current: record.signingSecret, ...(previous ? { previous } : {}) };
}
