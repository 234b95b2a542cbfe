import type { ApiKeyRecord } from '../../../shared/auth/caller';
import { ApiKeyStore } from '../../../shared/store/ApiKeyStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';

let cosmos: TestCosmos;
let store: ApiKeyStore;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new ApiKeyStore(cosmos.database);
});

afterAll(async () => {
  await cosmos?.close();
});

const record = (name: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  name,
  keyHash: 'ab'.repeat(32),
  permissions: ['publish'],
  topics: ['orders'],
  createdAt: '2026-12-07T12:00:00.000Z',
  ...extra,
});

describe('ApiKeyStore', () => {
  it('puts, reads, replaces and lists keys by name, without Cosmos DB fields', async () => {
    await store.put(record('b-key'));
    await store.put(record('a-key', { topics: '*', expiresAt: '2027-01-01T00:00:00.000Z' }));
    expect(await store.get('b-key')).toEqual(record('b-key'));
    await store.put(record('b-key', { keyHash: 'cd'.repeat(32) }));
    expect((await store.get('b-key'))?.keyHash).toBe('cd'.repeat(32));
    expect((await store.list()).map((key) => key.name)).toEqual(['a-key', 'b-key']);
    expect(await store.list()).toContainEqual(
      record('a-key', { topics: '*', expiresAt: '2027-01-01T00:00:00.000Z' }),
    );
    expect(await store.get('nobody')).toBeUndefined();
  });

  it('records the last use, and a use of a deleted key does not bring it back', async () => {
    await store.put(record('used'));
    await store.touch('used', new Date('2026-12-07T13:00:00Z'));
    expect((await store.get('used'))?.lastUsedAt).toBe('2026-12-07T13:00:00.000Z');
    expect(await store.delete('used')).toBe(true);
    await store.touch('used', new Date('2026-12-07T14:00:00Z'));
    expect(await store.get('used')).toBeUndefined();
    expect(await store.delete('used')).toBe(false);
  });
});
