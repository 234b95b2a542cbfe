import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const SAMPLE_TOPIC = 'orders';
export const SAMPLE_SUBSCRIPTION = 'sample-webhook';
export const SAMPLE_EVENT_TYPE = 'order.created';

export interface SeedOptions {
  apiUrl: string;
  functionKey: string;
  /** Where the sample receiver takes deliveries. */
  endpointUrl: string;
  /** File that keeps the signing secret between runs (an existing subscription keeps its secret). */
  secretFile: string;
}

export interface SeedResult {
  subscriptionUrl: string;
  created: boolean;
  /** The signing secret when known: returned on create, or kept from an earlier run. */
  secret?: string;
}

/** The PUT body of the sample subscription (docs/architecture.md: Event Grid style). Pure. */
export function sampleSubscriptionBody(endpointUrl: string): unknown {
  return {
    destination: { endpointType: 'WebHook', endpointUrl },
    filter: { includedEventTypes: [SAMPLE_EVENT_TYPE] },
  };
}

interface SavedSecret {
  subscriptionUrl: string;
  secret: string;
}

function readSavedSecret(file: string, subscriptionUrl: string): string | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedSecret>;
    return saved.subscriptionUrl === subscriptionUrl && typeof saved.secret === 'string'
      ? saved.secret
      : undefined;
  } catch {
    return undefined;
  }
}

function saveSecret(file: string, saved: SavedSecret): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(saved, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

export class SeedError extends Error {
  override name = 'SeedError';
  /** The API's status when it answered (400: the subscription was refused). */
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Creates (or replaces) the sample subscription through the app's own HTTP API, as a user would.
 * The secret is returned only on create, so it is saved (0600, under .local/) for later runs
 * against a Cosmos DB that outlives the stack.
 */
export async function seedSampleSubscription(options: SeedOptions): Promise<SeedResult> {
  const subscriptionUrl = `${options.apiUrl}/topics/${SAMPLE_TOPIC}/subscriptions/${SAMPLE_SUBSCRIPTION}`;
  const response = await fetch(subscriptionUrl, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', 'x-functions-key': options.functionKey },
    body: JSON.stringify(sampleSubscriptionBody(options.endpointUrl)),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201) {
    throw new SeedError(
      `PUT ${subscriptionUrl} answered ${response.status}: ${text.slice(0, 500)}`,
      response.status,
    );
  }
  if (response.status === 201) {
    const body = JSON.parse(text) as { signingSecret?: unknown };
    const secret = typeof body.signingSecret === 'string' ? body.signingSecret : undefined;
    if (secret !== undefined) saveSecret(options.secretFile, { subscriptionUrl, secret });
    return { subscriptionUrl, created: true, ...(secret !== undefined ? { secret } : {}) };
  }
  const secret = readSavedSecret(options.secretFile, subscriptionUrl);
  return { subscriptionUrl, created: false, ...(secret !== undefined ? { secret } : {}) };
}
