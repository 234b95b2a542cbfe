import { z } from 'zod';
import { hashApiKey, isKeyName, KEY_NAME_RULE } from '../auth/apiKey';
import type { ApiKeyRecord } from '../auth/caller';
import { PERMISSIONS } from '../auth/permissions';
import { TOPIC_NAME_PATTERN, TOPIC_NAME_RULE } from '../events/topicName';
import { invalidField, notFoundProblem } from '../http/problems';
import { problemFromZodError } from '../http/zodProblem';
import { type ApiResponse, json } from './apiResponse';
import type { ApiKeyListView, ApiKeyView, IssuedApiKeyView } from './views';

/** Where API keys are kept (shared/store/ApiKeyStore in the app, a map in tests). */
export interface ApiKeyRepository {
  get(name: string): Promise<ApiKeyRecord | undefined>;
  put(record: ApiKeyRecord): Promise<void>;
  list(): Promise<ApiKeyRecord[]>;
  delete(name: string): Promise<boolean>;
}

export interface ApiKeyManagementDependencies {
  keys: ApiKeyRepository;
  /** Drops this instance's cached copy of a key, so a change applies here at once. */
  forget(name: string): void;
  generateKey(name: string): string;
  now(): Date;
}

export const apiKeySpecSchema = z.strictObject({
  permissions: z
    .array(z.enum(PERMISSIONS))
    .min(1, 'must name at least one permission')
    .refine((list) => new Set(list).size === list.length, 'must not repeat a permission'),
  topics: z
    .array(z.string().regex(TOPIC_NAME_PATTERN, TOPIC_NAME_RULE).or(z.literal('*')))
    .min(1, 'must name at least one topic, or "*"')
    .optional(),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});

function parseKeyName(name: unknown): string {
  if (!isKeyName(name)) throw invalidField('name', KEY_NAME_RULE);
  return name;
}

/** A key as GET /api/keys shows it: scopes and dates, never the key nor its hash. */
export function apiKeyView(record: ApiKeyRecord): ApiKeyView {
  return {
    name: record.name,
    permissions: record.permissions,
    topics: record.topics === '*' ? ['*'] : [...record.topics],
    createdAt: record.createdAt,
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    ...(record.lastUsedAt !== undefined ? { lastUsedAt: record.lastUsedAt } : {}),
  };
}

/**
 * PUT /api/keys/{name}: issues a key with these permissions and topics (default every topic).
 * The key is in this answer only; the store keeps its SHA-256. Putting an existing name issues a
 * new key and the old one stops working (rotation in place). 201 created, 200 replaced.
 */
export async function putApiKey(
  dependencies: ApiKeyManagementDependencies,
  input: { name: unknown; body: unknown },
): Promise<ApiResponse> {
  const name = parseKeyName(input.name);
  const parsed = apiKeySpecSchema.safeParse(input.body ?? {});
  if (!parsed.success) throw problemFromZodError(parsed.error);
  const spec = parsed.data;
  const now = dependencies.now();
  if (spec.expiresAt !== undefined && Date.parse(spec.expiresAt) <= now.getTime()) {
    throw invalidField('expiresAt', 'must be in the future');
  }
  const topics =
    spec.topics === undefined || spec.topics.includes('*') ? '*' : [...new Set(spec.topics)].sort();
  const key = dependencies.generateKey(name);
  const existed = (await dependencies.keys.get(name)) !== undefined;
  const record: ApiKeyRecord = {
    name,
    keyHash: hashApiKey(key),
    permissions: spec.permissions,
    topics,
    createdAt: now.toISOString(),
    ...(spec.expiresAt !== undefined ? { expiresAt: new Date(spec.expiresAt).toISOString() } : {}),
  };
  await dependencies.keys.put(record);
  dependencies.forget(name);
  return json(
    existed ? 200 : 201,
    { ...apiKeyView(record), key } satisfies IssuedApiKeyView,
    // The key is shown once: no cache may keep this answer.
    { 'cache-control': 'no-store', ...(existed ? {} : { location: `/api/keys/${name}` }) },
  );
}

/** GET /api/keys: every key's name, scopes, created / last used / expiry; never a key. */
export async function listApiKeys(
  dependencies: Pick<ApiKeyManagementDependencies, 'keys'>,
): Promise<ApiResponse> {
  const records = await dependencies.keys.list();
  return json(200, { items: records.map(apiKeyView) } satisfies ApiKeyListView);
}

/**
 * DELETE /api/keys/{name}: revokes the key. This instance refuses it at once; other instances
 * within their key cache lifetime (API_KEY_CACHE_SECONDS).
 */
export async function deleteApiKey(
  dependencies: Pick<ApiKeyManagementDependencies, 'keys' | 'forget'>,
  name: unknown,
): Promise<ApiResponse> {
  const keyName = parseKeyName(name);
  const deleted = await dependencies.keys.delete(keyName);
  dependencies.forget(keyName);
  if (!deleted) throw notFoundProblem(`no API key named ${keyName}`, `/api/keys/${keyName}`);
  return { status: 204 };
}
