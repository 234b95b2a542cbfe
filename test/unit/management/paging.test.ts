import { randomBytes } from 'node:crypto';
import { ProblemError } from '../../../shared/http/problem';
import { continuationTokens, pageOfList, type ListScope } from '../../../shared/management/paging';
import { ContinuationNotAcceptedError } from '../../../shared/domain/repositories';

const key = randomBytes(32);
const tokens = continuationTokens(async () => key);
const scope: ListScope = ['deliveries', 'orders', 'audit', '*'];
const cosmosContinuation = '[{"token":"+RID:~abc#RT:1#TRC:1","range":{"min":"","max":"FF"}}]';

async function problemOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return (error as ProblemError).problem;
}

describe('continuation tokens', () => {
  it('hands back the Cosmos continuation of a token it issued for the same list', async () => {
    const token = await tokens.seal(cosmosContinuation, scope);
    expect(token).not.toContain(cosmosContinuation);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(await tokens.open(token, scope)).toBe(cosmosContinuation);
  });

  it('survives another instance: the same key opens what another instance sealed', async () => {
    const other = continuationTokens(async () => Buffer.from(key));
    expect(await other.open(await tokens.seal('c1', scope), scope)).toBe('c1');
  });

  it.each([
    ['a JSON-shaped token (issue 12)', '{"a":1}'],
    ['garbage (issue 12)', 'garbage'],
    ['a raw Cosmos continuation', cosmosContinuation],
    ['an empty MAC', 'eyJzIjpbXSwiYyI6IngifQ.'],
    ['a very long token', `${'A'.repeat(20_000)}.${'A'.repeat(43)}`],
  ])('refuses %s with a 400 naming continuationToken', async (_what, token) => {
    const problem = await problemOf(tokens.open(token, scope));
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([
      { field: 'continuationToken', message: expect.stringContaining('not a token this API issued') },
    ]);
  });

  it('refuses a token whose content was changed, or signed with another deployment key', async () => {
    const token = await tokens.seal('c1', scope);
    const [payload = '', mac = ''] = token.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ s: scope, c: 'c2' })).toString('base64url');
    expect((await problemOf(tokens.open(`${forgedPayload}.${mac}`, scope))).status).toBe(400);
    const flipped = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    expect((await problemOf(tokens.open(flipped, scope))).status).toBe(400);
    const elsewhere = continuationTokens(async () => randomBytes(32));
    expect((await problemOf(elsewhere.open(token, scope))).status).toBe(400);
  });

  it.each<[string, ListScope]>([
    ['another topic', ['deliveries', 'billing', 'audit', '*']],
    ['another subscription', ['deliveries', 'orders', 'other', '*']],
    ['another status', ['deliveries', 'orders', 'audit', 'succeeded']],
    ['another list', ['deadletters', 'orders', 'audit']],
  ])('refuses a token issued for %s', async (_what, otherScope) => {
    const token = await tokens.seal('c1', scope);
    const problem = await problemOf(tokens.open(token, otherScope));
    expect(problem.errors).toEqual([
      { field: 'continuationToken', message: expect.stringContaining('another list') },
    ]);
  });

  it('fetches the key once, and again after a failure (a Cosmos outage is not remembered)', async () => {
    let calls = 0;
    const flaky = continuationTokens(async () => {
      calls += 1;
      if (calls === 1) throw new Error('Cosmos DB unavailable');
      return key;
    });
    await expect(flaky.seal('c1', scope)).rejects.toThrow('Cosmos DB unavailable');
    const token = await flaky.seal('c1', scope);
    await flaky.open(token, scope);
    expect(calls).toBe(2);
  });
});

describe('pageOfList', () => {
  it('opens the caller token, passes the continuation on and seals the next one', async () => {
    const seen: unknown[] = [];
    const first = await pageOfList(tokens, scope, { maxItems: 2 }, async (page) => {
      seen.push(page);
      return { items: [1, 2], continuationToken: 'next-1' };
    });
    expect(seen).toEqual([{ maxItems: 2 }]);
    const second = await pageOfList(
      tokens,
      scope,
      { maxItems: 2, continuationToken: first.continuationToken },
      async (page) => {
        seen.push(page);
        return { items: [3] };
      },
    );
    expect(seen[1]).toEqual({ maxItems: 2, continuationToken: 'next-1' });
    expect(second).toEqual({ items: [3] });
  });

  it('never calls the store with a token it did not issue', async () => {
    const fetch = jest.fn();
    await problemOf(pageOfList(tokens, scope, { continuationToken: '{"a":1}' }, fetch));
    expect(fetch).not.toHaveBeenCalled();
  });

  it('answers 400 when the store refuses a continuation we issued, and lets other errors through', async () => {
    const token = await tokens.seal('stale', scope);
    // What shared/store/queryPage throws when Cosmos DB answers 400 to a continuation.
    const refused = new ContinuationNotAcceptedError('the store does not accept this continuation');
    const problem = await problemOf(
      pageOfList(tokens, scope, { continuationToken: token }, async () => Promise.reject(refused)),
    );
    expect(problem.errors).toEqual([
      { field: 'continuationToken', message: expect.stringContaining('first page') },
    ]);
    const outage = Object.assign(new Error('unavailable'), { code: 503 });
    await expect(
      pageOfList(tokens, scope, { continuationToken: token }, async () => Promise.reject(outage)),
    ).rejects.toBe(outage);
  });
});
