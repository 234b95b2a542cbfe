import type { IncomingMessage } from 'node:http';

/**
 * The largest request body the Azure Functions host takes: 100 MB (its default
 * `FUNCTIONS_REQUEST_BODY_SIZE_LIMIT`, 104,857,600 bytes); beyond it the host answers 413.
 */
export const MAX_REQUEST_BODY_BYTES = 100 * 1024 * 1024;

/** A body over the limit: declared by Content-Length, or found while reading a chunked one. */
export class RequestBodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes, the most the Functions host takes.`);
    this.name = 'RequestBodyTooLargeError';
  }
}

/**
 * Collects a request body as raw bytes, at most `limit` of them: a larger Content-Length is
 * refused before reading anything, and a body without one stops being read at the first chunk
 * past the limit (the caller answers 413 and closes the connection instead of reading on).
 */
export async function readBody(request: IncomingMessage, limit = MAX_REQUEST_BODY_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new RequestBodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // destroyOnReturn false: refusing must leave the socket open for the 413 answer.
  for await (const chunk of request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    size += bytes.length;
    if (size > limit) {
      request.pause();
      throw new RequestBodyTooLargeError(limit);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
