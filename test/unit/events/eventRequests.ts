/** Builders for the event parser tests: requests as the Functions host would hand them over. */
import type { HttpEventRequest } from '../../../shared/events/httpEventRequest';
import { type Problem, ProblemError } from '../../../shared/http/problem';

export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'A234-1234-1234',
    source: 'https://shop.example.com/orders',
    type: 'com.example.order.created',
    subject: '/orders/42',
    time: '2024-05-01T12:00:00Z',
    datacontenttype: 'application/json',
    data: { orderId: 42, total: 129.5 },
    ...overrides,
  };
}

export function structuredRequest(
  body: unknown,
  contentType = 'application/cloudevents+json',
): HttpEventRequest {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    headers: new Headers({ 'content-type': contentType }),
    body: new TextEncoder().encode(text).buffer,
  };
}

export function batchRequest(events: unknown[]): HttpEventRequest {
  return structuredRequest(events, 'application/cloudevents-batch+json');
}

/** Default ce-* headers for a valid event; an `undefined` value removes one. */
export function binaryRequest(
  headers: Record<string, string | undefined>,
  body?: string | Uint8Array,
): HttpEventRequest {
  const all: Record<string, string | undefined> = {
    'ce-specversion': '1.0',
    'ce-id': 'B-1',
    'ce-source': '/sensors/7',
    'ce-type': 'com.example.reading',
    ...headers,
  };
  const present = Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { headers: new Headers(present), body: typeof body === 'string' ? Buffer.from(body) : body };
}

/** The problem a call throws; fails the test when it throws anything else or nothing. */
export function problemOf(call: () => unknown): Problem {
  try {
    call();
  } catch (error) {
    if (error instanceof ProblemError) return error.problem;
    throw error;
  }
  throw new Error('expected a ProblemError, but the call succeeded');
}

export function fieldsOf(problem: Problem): string[] {
  return (problem.errors ?? []).map((e) => e.field);
}
