import { z } from 'zod';

import { QUEUES } from '../config/names';
import type { Destination } from '../domain/types';
import { SUBSCRIPTION_LIMITS } from './limits';

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers Switchyard sets itself (or the HTTP stack owns); a subscription must not override them. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'host',
  'user-agent',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** Prefixes of reserved headers: Standard Webhooks signing, CloudEvents binary mode, proxies. */
const RESERVED_PREFIXES = ['webhook-', 'ce-', 'proxy-'] as const;

/** Service Bus queue/topic names: 1-260 letters, digits, `.`, `-`, `_`, `/`, starting and ending with a letter or digit. */
const ENTITY_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._/-]{0,258}[A-Za-z0-9])?$/;
const ENTITY_NAME_RULE =
  'must be 1-260 letters, digits, ".", "-", "_" or "/", starting and ending with a letter or digit';

/** Switchyard's own queues: delivering into them would loop events back through the router. */
const INTERNAL_QUEUES: ReadonlySet<string> = new Set(Object.values(QUEUES).map((name) => name.toLowerCase()));

const endpointUrl = z.string({ error: 'endpointUrl is required' }).superRefine((value, ctx) => {
  const problem = endpointUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Header values are write-only (they often carry credentials): responses show each name with the
 * value `null`, and a PUT may send `null` to keep the value stored for that name.
 */
export type KeptHeaderValue = null;

/** A destination as a PUT gives it: a header value may be null (keep the stored one). */
export type DestinationInput =
  | Exclude<Destination, { endpointType: 'WebHook' }>
  | { endpointType: 'WebHook'; endpointUrl: string; headers?: Record<string, string | KeptHeaderValue> };

const headers = z
  .record(
    z.string(),
    z.union([z.string(), z.null()], {
      error: 'header values must be strings, or null to keep the stored value',
    }),
    {
      error: 'headers must be an object of name: value',
    },
  )
  .superRefine((record, ctx) => {
    const names = Object.keys(record);
    if (names.length > SUBSCRIPTION_LIMITS.customHeaders) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${SUBSCRIPTION_LIMITS.customHeaders} custom headers`,
      });
    }
    const seen = new Set<string>();
    for (const name of names) {
      const value = record[name];
      const problem =
        headerNameProblem(name, seen) ?? (typeof value === 'string' ? headerValueProblem(value) : undefined);
      if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
      seen.add(name.toLowerCase());
    }
  });

const entityName = (field: string) =>
  z.string({ error: `${field} is required` }).regex(ENTITY_NAME, `${field} ${ENTITY_NAME_RULE}`);

export const destinationSchema = z.discriminatedUnion(
  'endpointType',
  [
    z.strictObject({ endpointType: z.literal('WebHook'), endpointUrl, headers: headers.exactOptional() }),
    z.strictObject({
      endpointType: z.literal('ServiceBusQueue'),
      queueName: entityName('queueName').refine(
        (name) => !INTERNAL_QUEUES.has(name.toLowerCase()),
        "queueName must not be one of Switchyard's own queues (that would loop events back into it)",
      ),
    }),
    z.strictObject({ endpointType: z.literal('ServiceBusTopic'), topicName: entityName('topicName') }),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? 'destination is required'
        : 'endpointType must be WebHook, ServiceBusQueue or ServiceBusTopic',
  },
) satisfies z.ZodType<DestinationInput>;

function endpointUrlProblem(value: string): string | undefined {
  if (value.length > SUBSCRIPTION_LIMITS.endpointUrlLength) {
    return `endpointUrl must be at most ${SUBSCRIPTION_LIMITS.endpointUrlLength} characters`;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'endpointUrl must be an absolute http or https URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'endpointUrl must be an absolute http or https URL';
  if (url.username !== '' || url.password !== '') {
    return 'endpointUrl must not carry credentials; send them in destination.headers instead';
  }
  return undefined;
}

function headerNameProblem(name: string, seen: ReadonlySet<string>): string | undefined {
  const lower = name.toLowerCase();
  if (!HEADER_NAME.test(name)) return 'not a valid header name';
  if (RESERVED_HEADERS.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) {
    return `${name} is set by Switchyard and cannot be overridden`;
  }
  if (seen.has(lower)) return 'the same header is given twice (header names are case-insensitive)';
  return undefined;
}

/** The value is never echoed: custom headers often carry credentials. */
function headerValueProblem(value: string): string | undefined {
  if (value.length > SUBSCRIPTION_LIMITS.headerValueLength) {
    return `header value must be at most ${SUBSCRIPTION_LIMITS.headerValueLength} characters`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value))
    return 'header value must not contain control characters';
  return undefined;
}
