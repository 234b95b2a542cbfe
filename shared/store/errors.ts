/** The HTTP status of a Cosmos SDK error (ErrorResponse carries it as `code`), if any. */
export function cosmosStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

export function isCosmosStatus(error: unknown, status: number): boolean {
  return cosmosStatus(error) === status;
}
