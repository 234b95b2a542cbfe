/** Properties Cosmos DB adds to every document; not part of our records. */
const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** Our record without Cosmos DB's system properties. */
export function fromDocument<T extends object>(document: T): T {
  const record = { ...document } as Record<string, unknown>;
  for (const name of SYSTEM_PROPERTIES) delete record[name];
  return record as unknown as T;
}
