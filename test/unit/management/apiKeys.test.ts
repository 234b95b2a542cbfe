import { apiKeyMatches, generateApiKey } from '../../../shared/auth/apiKey';
import type { ApiKeyRecord } from '../../../shared/auth/caller';
import { ProblemError } from '../../../shared/http/problem';
import {
  deleteApiKey,
  listApiKeys,
  putApiKey,
  type ApiKeyManagementDependencies,
} from '../../../shared/management/apiKeys';

function management() {
  const stored = new Map<string, ApiKeyRecord>();
  const forgotten: string[] = [];
  const deps: ApiKeyManagementDependencies = {
    keys: {
      get: async (name) => stored.get(name),
      put: async (record) => void stored.set(record.name, record),
      list: async () => [...stored.values()],
      delete: async (name) => stored.delete(name),
    },
    forget: (name) => forgotten.push(name),
    generateKey: generateApiKey,
    now: () => new Date('2026-12-07T12:00:00Z'),
  };
  return { deps, stored, forgotten };
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('expected a problem');
}

describe('API key management', () => {
  it('issues a key once, stores only its hash, and lists scopes without it', async () => {
    const { deps, stored, forgotten } = management();
    const created = await putApiKey(deps, {
      name: 'partner-a',
      body: {
        permissions: ['publish'],
        topics: ['orders', 'orders'],
        expiresAt: '2027-01-01T00:00:00+01:00',
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers).toMatchObject({ 'cache-control': 'no-store', location: '/api/keys/partner-a' });
    const body = created.body as { key: string };
    const record = stored.get('partner-a');
    expect(record).toEqual({
      name: 'partner-a',
      keyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      permissions: ['publish'],
      topics: ['orders'],
      createdAt: '2026-12-07T12:00:00.000Z',
      expiresAt: '2026-12-31T23:00:00.000Z',
    });
    expect(JSON.stringify(record)).not.toContain(body.key);
    expect(apiKeyMatches(body.key, record?.keyHash ?? '')).toBe(true);
    expect(forgotten).toEqual(['partner-a']);

    const listed = await listApiKeys(deps);
    expect(JSON.stringify(listed.body)).not.toContain(body.key);
    expect(JSON.stringify(listed.body)).not.toContain('keyHash');
    expect(listed.body).toEqual({
      items: [
        {
          name: 'partner-a',
          permissions: ['publish'],
          topics: ['orders'],
          createdAt: '2026-12-07T12:00:00.000Z',
          expiresAt: '2026-12-31T23:00:00.000Z',
        },
      ],
    });
  });

  it('replaces the key of an existing name (rotation in place), every topic by default', async () => {
    const { deps, stored } = management();
    const first = await putApiKey(deps, { name: 'ops', body: { permissions: ['operate'] } });
    const second = await putApiKey(deps, { name: 'ops', body: { permissions: ['operate', 'events.read'] } });
    expect(second.status).toBe(200);
    expect(stored.get('ops')?.topics).toBe('*');
    const oldKey = (first.body as { key: string }).key;
    expect(apiKeyMatches(oldKey, stored.get('ops')?.keyHash ?? '')).toBe(false);
  });

  it.each([
    ['Bad_Name', { permissions: ['publish'] }, 'name'],
    ['ok', { permissions: [] }, 'permissions'],
    ['ok', { permissions: ['fly'] }, 'permissions[0]'],
    ['ok', { permissions: ['publish', 'publish'] }, 'permissions'],
    ['ok', { permissions: ['publish'], topics: ['no spaces'] }, 'topics[0]'],
    ['ok', { permissions: ['publish'], expiresAt: 'tomorrow' }, 'expiresAt'],
    ['ok', { permissions: ['publish'], expiresAt: '2026-12-07T11:00:00Z' }, 'expiresAt'],
    ['ok', { permissions: ['publish'], key: 'sk_chosen' }, 'key'],
  ])('refuses %s %j naming %s', async (name, body, field) => {
    const problem = await problemOf(putApiKey(management().deps, { name, body }));
    expect(problem.problem.status).toBe(400);
    expect(problem.problem.errors?.map((error) => error.field)).toContain(field);
  });

  it('revokes a key (204) and answers 404 for one that does not exist', async () => {
    const { deps, stored, forgotten } = management();
    await putApiKey(deps, { name: 'gone', body: { permissions: ['publish'] } });
    expect((await deleteApiKey(deps, 'gone')).status).toBe(204);
    expect(stored.has('gone')).toBe(false);
    expect(forgotten).toEqual(['gone', 'gone']);
    expect((await problemOf(deleteApiKey(deps, 'gone'))).problem.status).toBe(404);
  });
});
