/**
 * CloudEvents over HTTP (HTTP protocol binding 1.0): picks the mode from the request, parses and
 * validates every event, enforces the size limits. Throws ProblemError: 400 naming each invalid
 * attribute (`[3].source` in batches), 413 naming the body or the event, 415 naming content-type.
 */
import type { CloudEventJson } from '../domain/types';
import type { FieldError } from '../http/problem';
import {
  payloadTooLargeProblem,
  payloadTooLargeProblemFor,
  unsupportedMediaTypeProblem,
  validationProblem,
} from '../http/problems';
import { bodyBytes } from './dataFromBytes';
import { eventSizeBytes } from './eventSize';
import { binaryEventFromHttp } from './fromBinaryHttp';
import {
  CLOUDEVENTS_BATCH_JSON,
  CLOUDEVENTS_JSON,
  type HttpEventMode,
  type HttpEventRequest,
} from './httpEventRequest';
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './limits';
import { hasUtf8Charset, parseMediaType } from './mediaType';
import { type EventValidation, validateCloudEvent } from './validateCloudEvent';

export interface ParsedEvent {
  event: CloudEventJson;
  /** Bytes of the compact JSON serialization, as limited by maxEventBytes. */
  sizeBytes: number;
}

export interface ParsedHttpEvents {
  mode: HttpEventMode;
  /** In request order; one element except in batch mode. */
  events: ParsedEvent[];
}

/** Enough for a client to fix a batch; bounds the size of the problem document. */
const MAX_REPORTED_ERRORS = 100;

const SUPPORTED =
  `use ${CLOUDEVENTS_JSON} (structured), ${CLOUDEVENTS_BATCH_JSON} (batch), ` +
  'or binary mode with ce-specversion and the other ce-* headers';

export function fromHttpRequest(
  request: HttpEventRequest,
  limits: EventLimits = DEFAULT_EVENT_LIMITS,
): ParsedHttpEvents {
  const body = bodyBytes(request.body);
  if (body.byteLength > limits.maxRequestBytes) {
    throw payloadTooLargeProblem(
      'body',
      `the request body is ${body.byteLength} bytes; the limit is ${limits.maxRequestBytes}`,
    );
  }
  const mode = detectMode(request);
  if (mode === 'binary') {
    const validation = binaryEventFromHttp(request.headers, body);
    return { mode, events: [checked([validation], ['event'], limits)[0] as ParsedEvent] };
  }
  const json = parseJsonBody(body);
  if (mode === 'structured') {
    return { mode, events: [checked([validateCloudEvent(json)], ['event'], limits)[0] as ParsedEvent] };
  }
  if (!Array.isArray(json))
    throw validationProblem([{ field: 'body', message: 'a batch must be a JSON array of events' }]);
  if (json.length === 0)
    throw validationProblem([{ field: 'body', message: 'a batch must contain at least one event' }]);
  if (json.length > limits.maxBatchEvents) {
    throw payloadTooLargeProblem(
      'body',
      `a batch holds at most ${limits.maxBatchEvents} events; this one has ${json.length}`,
    );
  }
  const names = json.map((_, index) => `[${index}]`);
  return {
    mode,
    events: checked(
      json.map((candidate: unknown, index) => validateCloudEvent(candidate, names[index])),
      names,
      limits,
    ),
  };
}

function detectMode(request: HttpEventRequest): HttpEventMode {
  const contentType = request.headers.get('content-type');
  const media = contentType === null ? undefined : parseMediaType(contentType);
  if (media?.essence === CLOUDEVENTS_JSON || media?.essence === CLOUDEVENTS_BATCH_JSON) {
    if (!hasUtf8Charset(media))
      throw unsupportedMediaTypeProblem(`only charset=utf-8 is supported, not ${media.parameters.charset}`);
    return media.essence === CLOUDEVENTS_JSON ? 'structured' : 'batch';
  }
  if (media?.essence.startsWith('application/cloudevents')) {
    throw unsupportedMediaTypeProblem(
      `${media.essence} is not supported: only the JSON event format is; ${SUPPORTED}`,
    );
  }
  // Binary mode: any Content-Type (it is the data's), recognised by the ce-specversion header.
  if (request.headers.get('ce-specversion') !== null) return 'binary';
  const got = contentType === null ? 'no content type' : `content type ${contentType}`;
  throw unsupportedMediaTypeProblem(`${got} and no ce-specversion header: ${SUPPORTED}`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function parseJsonBody(body: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw validationProblem([{ field: 'body', message: 'the body is not valid UTF-8' }]);
  }
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the body; problems get logged, so it is left out.
    throw validationProblem([{ field: 'body', message: 'the body is not valid JSON' }]);
  }
}

/** All-or-nothing: any invalid event fails the request with 400, else any oversized one with 413. */
function checked(validations: EventValidation[], names: string[], limits: EventLimits): ParsedEvent[] {
  const invalid: FieldError[] = validations.flatMap((v) => (v.ok ? [] : v.errors));
  if (invalid.length > 0) throw validationProblem(invalid.slice(0, MAX_REPORTED_ERRORS));
  const parsed = validations.map((v) => {
    const event = (v as { event: CloudEventJson }).event;
    return { event, sizeBytes: eventSizeBytes(event) };
  });
  const oversized = parsed.flatMap((p, index) =>
    p.sizeBytes > limits.maxEventBytes
      ? [
          {
            field: names[index] ?? 'event',
            message: `the event is ${p.sizeBytes} bytes as JSON; the limit is ${limits.maxEventBytes}`,
          },
        ]
      : [],
  );
  if (oversized.length > 0) throw payloadTooLargeProblemFor(oversized.slice(0, MAX_REPORTED_ERRORS));
  return parsed;
}
