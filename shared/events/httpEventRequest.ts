/**
 * The part of an HTTP request the event parsers read. @azure/functions' HttpRequest fits it:
 * pass `{ headers: request.headers, body: await request.arrayBuffer() }`. So does a fetch
 * `Request`, and `new Headers({...})` in tests.
 */
export interface HeaderBag {
  /** Case-insensitive; null when absent. */
  get(name: string): string | null;
  /** Every header, names lower-cased (binary mode needs all `ce-*` headers, not known names). */
  entries(): Iterable<[string, string]>;
}

export interface HttpEventRequest {
  headers: HeaderBag;
  body: ArrayBuffer | Uint8Array | string | null | undefined;
}

/** The three HTTP modes of the CloudEvents HTTP binding. */
export type HttpEventMode = 'structured' | 'binary' | 'batch';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH_JSON = 'application/cloudevents-batch+json';
