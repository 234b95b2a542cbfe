/**
 * CloudEvents over HTTP (HTTP protocol binding 1.0) into validated events. Throws ProblemError:
 * 400 naming each invalid attribute (`source`, `ce-source` in binary mode, `[3].source` in a
 * batch), 413 naming `body` or the oversized event (`event`, `[3]`), 415 naming `content-type`.
 */
import { payloadTooLargeProblem, validationProblem } from '../http/problems';
import { bodyBytes, decodeUtf8 } from './dataFromBytes';
import { detectHttpMode } from './detectHttpMode';
import { binaryEventFromHttp } from './fromBinaryHttp';
import type { HttpEventMode, HttpEventRequest } from './httpEventRequest';
import { DEFAULT_EVENT_LIMITS, type EventLimits } from './limits';
import { type ParsedEvent, requireValidEvents } from './requireValidEvents';
import { validateCloudEvent } from './validateCloudEvent';

export interface ParsedHttpEvents {
  mode: HttpEventMode;
  /** In request order; exactly one except in batch mode. */
  events: ParsedEvent[];
}

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
  const mode = detectHttpMode(request.headers);
  if (mode === 'binary') {
    const events = requireValidEvents(
      [binaryEventFromHttp(request.headers, body)],
      ['event'],
      limits.maxEventBytes,
    );
    return { mode, events };
  }
  const json = parseJsonBody(body);
  if (mode === 'structured') {
    return { mode, events: requireValidEvents([validateCloudEvent(json)], ['event'], limits.maxEventBytes) };
  }
  if (!Array.isArray(json)) {
    throw validationProblem([{ field: 'body', message: 'a batch must be a JSON array of events' }]);
  }
  if (json.length === 0) {
    throw validationProblem([{ field: 'body', message: 'a batch must contain at least one event' }]);
  }
  if (json.length > limits.maxBatchEvents) {
    throw payloadTooLargeProblem(
      'body',
      `a batch holds at most ${limits.maxBatchEvents} events; this one has ${json.length}`,
    );
  }
  const names = json.map((_: unknown, index) => `[${index}]`);
  const validations = json.map((candidate: unknown, index) => validateCloudEvent(candidate, names[index]));
  return { mode, events: requireValidEvents(validations, names, limits.maxEventBytes) };
}

function parseJsonBody(body: Uint8Array): unknown {
  const text = decodeUtf8(body);
  if (text === undefined)
    throw validationProblem([{ field: 'body', message: 'the body is not valid UTF-8' }]);
  try {
    return JSON.parse(text);
  } catch {
    // The parser's message quotes the body; problems get logged, so it is left out.
    throw validationProblem([{ field: 'body', message: 'the body is not valid JSON' }]);
  }
}
