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
  /** Batch triggers (cardinality many): most messages per invocation (default 1000). */
  maxMessageBatchSize: number;
  /** Batch triggers: fewest messages worth an invocation before maxBatchWaitTime (default 1). */
  minMessageBatchSize: number;
  /** Batch triggers: longest wait for minMessageBatchSize messages (default 30 s; unused when it is 1). */
  maxBatchWaitTimeMs: number;
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
          maxMessageBatchSize: z.number().int().min(1).optional(),
          minMessageBatchSize: z.number().int().min(1).optional(),
          maxBatchWaitTime: timeSpan.optional(),
        })
        .optional(),
    })
    .optional(),
});

/** The Flex Consumption default; the dev host uses it when host.json sets none. */
const DEFAULT_FUNCTION_TIMEOUT_MS = 30 * 60_000;

/** App settings named `AzureFunctionsJobHost__<path>` override host.json, as in the Functions host. */
const OVERRIDE_PREFIX = 'azurefunctionsjobhost__';

export function readHostOptions(appRoot: string, env: NodeJS.ProcessEnv = process.env): HostOptions {
  const path = join(appRoot, 'host.json');
  const raw: unknown = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  const overridden = applySettingOverrides(raw, env);
  const parsed = hostJsonSchema.safeParse(overridden.hostJson);
  if (!parsed.success) {
    const from = overridden.names.length > 0 ? ` (with ${overridden.names.join(', ')})` : '';
    throw new Error(`${path}${from} is not valid for the dev host: ${parsed.error.message}`);
  }
  const { functionTimeout, extensions, logging } = parsed.data;
  const serviceBus = extensions?.serviceBus ?? {};
  const maxMessageBatchSize = serviceBus.maxMessageBatchSize ?? 1000;
  const minMessageBatchSize = serviceBus.minMessageBatchSize ?? 1;
  if (minMessageBatchSize > maxMessageBatchSize) {
    throw new Error(`${path}: minMessageBatchSize must not exceed maxMessageBatchSize`);
  }
  return {
    routePrefix: (extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, ''),
    functionTimeoutMs: timeSpanMs(functionTimeout, DEFAULT_FUNCTION_TIMEOUT_MS),
    logLevel: logging?.logLevel?.default ?? 'Information',
    serviceBus: {
      prefetchCount: serviceBus.prefetchCount ?? 0,
      autoCompleteMessages: serviceBus.autoCompleteMessages ?? true,
      maxAutoLockRenewalDurationMs: timeSpanMs(serviceBus.maxAutoLockRenewalDuration, 5 * 60_000) ?? 0,
      maxConcurrentCalls: serviceBus.maxConcurrentCalls ?? 16 * availableParallelism(),
      maxMessageBatchSize,
      minMessageBatchSize,
      maxBatchWaitTimeMs: timeSpanMs(serviceBus.maxBatchWaitTime, 30_000) ?? 30_000,
    },
  };
}

function timeSpanMs(text: string | null | undefined, fallback: number): number | undefined {
  if (text === undefined || text === null) return fallback;
  if (text.trim() === '-1') return undefined;
  return parseTimeSpan(text);
}

/**
 * Applies `AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls=64` style settings
 * to a copy of host.json: `__` separates the path, names match case-insensitively (as the host's
 * configuration does), and the text becomes a number or boolean where it reads as one.
 */
function applySettingOverrides(
  hostJson: unknown,
  env: NodeJS.ProcessEnv,
): { hostJson: unknown; names: string[] } {
  const names: string[] = [];
  let result: unknown = hostJson;
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(OVERRIDE_PREFIX)) continue;
    const path = name.slice(OVERRIDE_PREFIX.length).split('__').filter(Boolean);
    if (path.length === 0) continue;
    result = setPath(result, path, settingValue(value));
    names.push(name);
  }
  return { hostJson: result, names };
}

function setPath(target: unknown, path: string[], value: unknown): unknown {
  const [head, ...rest] = path as [string, ...string[]];
  const object: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  const key = Object.keys(object).find((existing) => existing.toLowerCase() === head.toLowerCase()) ?? head;
  object[key] = rest.length === 0 ? value : setPath(object[key], rest, value);
  return object;
}

function settingValue(text: string): unknown {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}
