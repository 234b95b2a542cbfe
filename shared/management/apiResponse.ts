/** What a management operation answers, before the function maps it to an HTTP response. */
export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, body, headers };
}
