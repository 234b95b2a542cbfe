/**
 * The problem+json body (shared/http/problem.ts) as a zod schema, for the OpenAPI description
 * and for checking answers in tests. The interface in problem.ts stays the type the code builds.
 */
import { z } from 'zod';

import type { Problem } from './problem';
import { PROBLEM_TYPES } from './problems';

export const fieldErrorSchema = z
  .object({
    field: z.string().meta({
      description:
        'The offending field as the client wrote it: a JSON path (`destination.endpointUrl`, `[3].source`), a query parameter or a header name.',
    }),
    message: z.string(),
  })
  .meta({ description: 'One invalid field and what is wrong with it.' });

export const problemSchema = z
  .object({
    type: z.string().meta({
      description: 'A URI naming the kind of problem, stable for clients to switch on.',
      examples: Object.values(PROBLEM_TYPES),
    }),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(fieldErrorSchema).exactOptional().meta({
      description:
        'Each invalid field (400, 413, 415), the credential (401) or the missing permission (403).',
    }),
  })
  .meta({
    description: 'RFC 9457 problem details, extended with `errors` naming each offending field.',
  }) satisfies z.ZodType<Problem>;
