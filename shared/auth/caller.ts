import type { Grant, Permission, TopicScope } from './permissions';

/** Who is calling, as authenticated: what audit records name and what authorization checks. */
export interface Caller {
  /**
   * For logs and traces, never a secret: `token:<oid|azp|appid|sub>`, `key:<name>` or
   * `bootstrap-admin-key`.
   */
  id: string;
  kind: 'token' | 'apiKey' | 'bootstrapKey';
  grants: Grant[];
}

/** An API key as stored (container `apikeys`): its hash, never the key. */
export interface ApiKeyRecord {
  name: string;
  /** SHA-256 of the whole key, hex. */
  keyHash: string;
  permissions: Permission[];
  /** Where the topic-scoped permissions hold; `*` for every topic. */
  topics: TopicScope;
  createdAt: string;
  expiresAt?: string;
  lastUsedAt?: string;
}

/** The grants an API key carries: each permission on the key's topics. */
export function grantsOfKey(record: Pick<ApiKeyRecord, 'permissions' | 'topics'>): Grant[] {
  return record.permissions.map((permission) => ({ permission, topics: record.topics }));
}
