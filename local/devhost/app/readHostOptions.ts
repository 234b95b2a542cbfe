import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { parseTimeSpan } from './parseTimeSpan';

/** The host.json settings the dev host honours, with the host's defaults filled in. */
export interface HostOptions {
  /** extensions.http.routePrefix, without slashes ("" = routes at the root). */
  routePrefix: string;
  serviceBus: ServiceBusHostOptions;
  /** functionTimeout; undefined = no limit ("-1"). */
  functionTimeoutMs: number | undefined;
  /** logging.logLevel.default ("Information"). */
  logLevel: string;
}

export interface ServiceBusHostOptions {
  prefetchCount: number;
  autoCompleteMessages: boolean;
  maxAutoLockRenewalDurationMs: number;
  maxConcurrentCalls: number;
}

const timeSpan = z
  .string()
  .refine(
    (text) => text.trim() === '-1' || parseTimeSpan(text) !== undefined,
    'a TimeSpan such as "00:05:00"',
  );

const hostJsonSchema = z.object({
  functionTimeout: timeSpan.nullish(),
  logging: z.object({ logLevel: z.object({ default: z.string().optional() }).optional() }).optional(),
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().optional() }).optional(),
      serviceBus: z
        .object({
          prefetchCount: z.number().int().min(0).optional(),
          autoCompleteMessages: z.boolean().optional(),
          maxAutoLockRenewalDuration: timeSpan.optional(),
          maxConcurrentCalls: z.number().int().min(1).optional(),
        })
        .optional(),
    })
    .optional(),
});

/** The Flex Consumption default; the dev host uses it when host.json sets none. */
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

export function readHostOptions(appRoot: string): HostOptions {
  const path = join(appRoot, 'host.json');
  const raw: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const parsed = hostJsonSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is not valid for the dev host: ${parsed.error.message}`);
  const { functionTimeout, extensions, logging } = parsed.data;
  const serviceBus = extensions?.serviceBus ?? {};
  return {
    routePrefix: (extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    functionTimeoutMs: timeSpanMs(functionTimeout, DEFAULT_FUNCTION_TIMEOUT_MS),
    logLevel: logging?.logLevel?.default ?? 'Information',
    serviceBus: {
      prefetchCount: serviceBus.prefetchCount ?? 0,
      autoCompleteMessages: serviceBus.autoCompleteMessages ?? true,
      maxAutoLockRenewalDurationMs: timeSpanMs(serviceBus.maxAutoLockRenewalDuration, 5 * 60_000) ?? 0,
      maxConcurrentCalls: serviceBus.maxConcurrentCalls ?? 16 * availableParallelism(),
    },
  };
}

function timeSpanMs(text: string | null | undefined, fallback: number): number | undefined {
  if (text === undefined || text === null) return fallback;
  if (text.trim() === '-1') return undefined;
  return parseTimeSpan(text);
}
