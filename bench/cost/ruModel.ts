import type { CosmosRequestKind } from './cosmosCounter';

/**
 * Estimated request units of a Cosmos DB request, since the local server charges a flat 1 RU.
 * Read and write charges by document size are Microsoft's table (session or eventual
 * consistency, default indexing), "Understand request unit consumption":
 * https://learn.microsoft.com/azure/cosmos-db/understand-request-unit-consumption
 * A size between two rows is charged at the larger row. What that page does not give is an
 * assumption, named in ASSUMPTIONS and docs/cost.md.
 */
const BY_SIZE_KB: ReadonlyArray<{ kb: number; read: number; write: number }> = [
  { kb: 1, read: 1.0, write: 4.95 },
  { kb: 2, read: 1.04, write: 6.29 },
  { kb: 4, read: 1.14, write: 6.67 },
  { kb: 8, read: 1.33, write: 7.04 },
  { kb: 16, read: 1.67, write: 9.52 },
  { kb: 32, read: 2.19, write: 11.23 },
  { kb: 64, read: 4.76, write: 22.67 },
  { kb: 128, read: 9.95, write: 48.19 },
  { kb: 256, read: 20.28, write: 98.29 },
  { kb: 512, read: 40.95, write: 184.57 },
  { kb: 1024, read: 145.9, write: 625.0 },
  { kb: 2048, read: 291.8, write: 1250.0 },
];

/** RU of each query page (no published figure: a small single-partition query). */
const QUERY_PAGE_RU = 3;
/** RU of a refused request (404 read, 409 create conflict, 412 precondition failed). */
const REFUSED_RU = 1;

export const ASSUMPTIONS = [
  `reads and writes: Microsoft's RU table by document size (1 KB read 1 RU, 1 KB write 4.95 RU), the next larger row`,
  `a patch, replace or delete is charged as a write of the whole document (the size the server answered with)`,
  `a query page: ${QUERY_PAGE_RU} RU (assumed; queries have no published per-page figure)`,
  `a refused request (404, 409, 412): ${REFUSED_RU} RU (assumed)`,
  `metadata requests (account, containers, partition key ranges) and query plans: 0 RU (assumed)`,
  `a bulk request: the sum of its operations, each estimated like a single one`,
];

function row(bytes: number) {
  const kb = bytes / 1024;
  return BY_SIZE_KB.find((r) => r.kb >= kb) ?? BY_SIZE_KB[BY_SIZE_KB.length - 1]!;
}

/**
 * Estimated RU of one request. `documentBytes` is the size of the document read or written
 * (for a patch: of the whole document it changes). Pure.
 */
export function estimateRu(kind: CosmosRequestKind, status: string, documentBytes: number): number {
  if (kind === 'metadata' || kind === 'bulk request' || kind === 'query plan') return 0;
  if (status !== '2xx') return REFUSED_RU;
  switch (kind) {
    case 'point read':
      return row(documentBytes).read;
    case 'create':
    case 'create (in bulk)':
    case 'upsert':
    case 'replace':
    case 'patch':
    case 'delete':
      return row(documentBytes).write;
    case 'query':
    case 'read feed':
      return QUERY_PAGE_RU;
  }
}
