import query from '@zeit/cosmosdb-query';
import { linearQueryCode, useLinearCosmosQueries } from '../../../local/stack/linearCosmosQueries';

/** The local Cosmos DB server's query engine, with its generated code rewritten to append in place. */
const documents = Array.from({ length: 300 }, (_, i) => ({
  id: `d${i}`,
  _rid: `rid${String(i).padStart(5, '0')}`,
  eventKey: `k${i % 7}`,
  status: i % 3 === 0 ? 'retrying' : 'succeeded',
  nextAttemptAt: new Date(Date.UTC(2026, 0, 1, 0, i % 60)).toISOString(),
  note: i % 5 === 0 ? 'a "quoted" [bracket] value' : undefined,
  attempts: Array.from({ length: i % 3 }, (__, n) => ({ n, status: n === 0 ? 500 : 204 })),
}));

const QUERIES: Array<[string, Array<{ name: string; value: unknown }>]> = [
  [
    "SELECT * FROM c WHERE c.status = 'retrying' AND c.nextAttemptAt < @due ORDER BY c.nextAttemptAt",
    [{ name: '@due', value: '2026-01-01T00:30:00.000Z' }],
  ],
  [
    "SELECT * FROM c WHERE c.status = 'retrying' AND c.nextAttemptAt < @due",
    [{ name: '@due', value: '2026-01-01T00:30:00.000Z' }],
  ],
  ['SELECT VALUE COUNT(1) FROM c', []],
  ['SELECT c.id FROM c WHERE c.note = \'a "quoted" [bracket] value\'', []],
  ['SELECT c.id, a.status FROM c JOIN a IN c.attempts WHERE a.status = 500', []],
  ['SELECT TOP 5 * FROM c WHERE c.eventKey = @key ORDER BY c.id DESC', [{ name: '@key', value: 'k3' }]],
];

// What the unmodified engine answers, taken before the rewrite is installed (it is process-wide).
const expected = QUERIES.map(([text, parameters]) =>
  JSON.stringify(query(text).exec(documents, { parameters, maxItemCount: 1000 })),
);

describe('the local Cosmos DB server queries in linear time', () => {
  it('rewrites each copy of the accumulator into an append', () => {
    const code = query('SELECT * FROM c WHERE c.status = "retrying"').code;
    expect(code).toContain('[...$, ');
    const linear = linearQueryCode(code);
    expect(linear).not.toContain('[...$, ');
    expect(linear).toContain('$.push(');
  });

  it.each(QUERIES.map(([text, parameters], i) => [text, parameters, i] as const))(
    'answers %s exactly as the original code',
    (text, parameters, i) => {
      useLinearCosmosQueries();
      const rewritten = query(text);
      expect(rewritten.code).not.toContain('[...$, ');
      const answer = JSON.stringify(rewritten.exec(documents, { parameters, maxItemCount: 1000 }));
      expect((JSON.parse(answer) as { result: unknown[] }).result.length).toBeGreaterThan(0);
      expect(answer).toBe(expected[i]);
    },
  );
});
