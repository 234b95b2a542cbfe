import {
  apiKeyMatches,
  apiKeyName,
  generateApiKey,
  hashApiKey,
  secretsEqual,
} from '../../../shared/auth/apiKey';
import { ApiKeyCache } from '../../../shared/auth/apiKeyCache';
import {
  authenticate,
  IssuerUnavailableError,
  TokenRejectedError,
  type AuthenticationDependencies,
} from '../../../shared/auth/authenticate';
import type { ApiKeyRecord } from '../../../shared/auth/caller';
import { ProblemError } from '../../../shared/http/problem';

const NOW = new Date('2026-12-07T12:00:00Z');

function dependencies(overrides: Partial<AuthenticationDependencies> = {}) {
  const keys = new Map<string, ApiKeyRecord>();
  const used: string[] = [];
  const deps: AuthenticationDependencies = {
    bootstrapKey: 'local-dev-key',
    verifyToken: undefined,
    findApiKey: async (name) => keys.get(name),
    keyUsed: (name) => used.push(name),
    now: () => NOW,
    ...overrides,
  };
  return { deps, keys, used };
}

function storeKey(keys: Map<string, ApiKeyRecord>, name: string, extra: Partial<ApiKeyRecord> = {}): string {
  const key = generateApiKey(name);
  keys.set(name, {
    name,
    keyHash: hashApiKey(key),
    permissions: ['publish'],
    topics: ['orders'],
    createdAt: NOW.toISOString(),
    ...extra,
  });
  return key;
}

async function refusal(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const headers = (authorization: string | null, functionsKey: string | null = null) => ({
  authorization,
  functionsKey,
});

describe('authenticate', () => {
  it('asks for a Bearer credential when none is sent (401, WWW-Authenticate: Bearer)', async () => {
    const error = await refusal(authenticate(headers(null), dependencies().deps));
    expect(error.problem.status).toBe(401);
    expect(error.headers['www-authenticate']).toBe('Bearer realm="switchyard"');
    expect(error.problem.errors).toEqual([
      { field: 'authorization', message: expect.stringContaining('Bearer') },
    ]);
    const basic = await refusal(authenticate(headers('Basic bG9jYWwtZGV2LWtleQ=='), dependencies().deps));
    expect(basic.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('takes the bootstrap key as Bearer or x-functions-key, with every permission', async () => {
    const { deps } = dependencies();
    for (const presented of [
      headers('Bearer local-dev-key'),
      headers(null, 'local-dev-key'),
      headers('bearer  local-dev-key '),
    ]) {
      await expect(authenticate(presented, deps)).resolves.toEqual({
        id: 'bootstrap-admin-key',
        kind: 'bootstrapKey',
        grants: [{ permission: 'admin', topics: '*' }],
      });
    }
    const none = dependencies({ bootstrapKey: undefined }).deps;
    expect((await refusal(authenticate(headers('Bearer local-dev-key'), none))).problem.status).toBe(401);
  });

  it('authenticates an API key by name and hash, records its use, and never echoes it', async () => {
    const { deps, keys, used } = dependencies();
    const key = storeKey(keys, 'orders-publisher');
    await expect(authenticate(headers(`Bearer ${key}`), deps)).resolves.toEqual({
      id: 'key:orders-publisher',
      kind: 'apiKey',
      grants: [{ permission: 'publish', topics: ['orders'] }],
    });
    expect(used).toEqual(['orders-publisher']);

    const wrongSecret = `${key.slice(0, -4)}AAAA`;
    const error = await refusal(authenticate(headers(`Bearer ${wrongSecret}`), deps));
    expect(error.problem.status).toBe(401);
    expect(JSON.stringify(error.problem)).not.toContain(wrongSecret);
    keys.delete('orders-publisher');
    expect((await refusal(authenticate(headers(`Bearer ${key}`), deps))).problem.detail).toContain(
      'unknown or revoked',
    );
  });

  it('refuses an expired API key', async () => {
    const { deps, keys } = dependencies();
    const key = storeKey(keys, 'old', { expiresAt: '2026-12-07T11:59:59Z' });
    expect((await refusal(authenticate(headers(`Bearer ${key}`), deps))).problem.detail).toContain('expired');
  });

  it('refuses tokens when no issuer is configured, and maps verifier verdicts to 401 or 503', async () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    expect(
      (await refusal(authenticate(headers(`Bearer ${token}`), dependencies().deps))).problem.detail,
    ).toContain('no token issuer is configured');
    const rejecting = dependencies({
      verifyToken: async () => {
        throw new TokenRejectedError('it has expired (exp)');
      },
    }).deps;
    const rejected = await refusal(authenticate(headers(`Bearer ${token}`), rejecting));
    expect(rejected.problem.status).toBe(401);
    expect(rejected.problem.detail).toBe('The access token is not valid: it has expired (exp).');
    const unavailable = dependencies({
      verifyToken: async () => {
        throw new IssuerUnavailableError('timeout');
      },
    }).deps;
    const outage = await refusal(authenticate(headers(`Bearer ${token}`), unavailable));
    expect(outage.problem.status).toBe(503);
    expect(outage.headers['retry-after']).toBe('5');
    // A token in x-functions-key is not a key: refused, not verified.
    const verifying = dependencies({ verifyToken: async () => ({ callerId: 'x', grants: [] }) }).deps;
    expect((await refusal(authenticate(headers(null, token), verifying))).problem.status).toBe(401);
    await expect(authenticate(headers(`Bearer ${token}`), verifying)).resolves.toMatchObject({
      id: 'token:x',
    });
  });
});

describe('API keys', () => {
  it('are sk_<name>_<256-bit secret>, matched by their SHA-256 only', () => {
    const key = generateApiKey('partner-a');
    expect(key).toMatch(/^sk_partner-a_[A-Za-z0-9_-]{43}$/);
    expect(generateApiKey('partner-a')).not.toBe(key);
    expect(apiKeyName(key)).toBe('partner-a');
    expect(apiKeyName('sk_partner-a_short')).toBeUndefined();
    expect(apiKeyName('sk__' + 'a'.repeat(43))).toBeUndefined();
    expect(apiKeyMatches(key, hashApiKey(key))).toBe(true);
    expect(apiKeyMatches(key, hashApiKey(generateApiKey('partner-a')))).toBe(false);
    expect(apiKeyMatches(key, 'abcd')).toBe(false);
    expect(secretsEqual('local-dev-key', 'local-dev-key')).toBe(true);
    expect(secretsEqual('local-dev-key', 'local-dev-kez')).toBe(false);
    expect(secretsEqual('short', 'local-dev-key')).toBe(false);
  });

  it('are cached for the cache lifetime, found or not, and forgotten at once on change', async () => {
    let clock = 0;
    const loads: string[] = [];
    const touches: string[] = [];
    const record: ApiKeyRecord = {
      name: 'a',
      keyHash: '00',
      permissions: ['publish'],
      topics: '*',
      createdAt: '',
    };
    const cache = new ApiKeyCache(
      async (name) => {
        loads.push(name);
        return name === 'a' ? record : undefined;
      },
      async (name) => void touches.push(name),
      30_000,
      () => clock,
    );
    await cache.get('a');
    await cache.get('a');
    await cache.get('missing');
    await cache.get('missing');
    expect(loads).toEqual(['a', 'missing']);
    clock = 30_000;
    await cache.get('a');
    cache.forget('a');
    await cache.get('a');
    expect(loads).toEqual(['a', 'missing', 'a', 'a']);
    cache.used('a');
    cache.used('a');
    clock = 60_000;
    cache.used('a');
    expect(touches).toEqual(['a', 'a']);
  });
});
