/**
 * What a caller may do. Every HTTP function declares the one permission it needs next to its
 * registration (functions/*.ts, `requires(...)`); this module decides whether a caller's grants
 * cover it. Pure.
 */

export const PERMISSIONS = [
  'publish',
  'subscriptions.read',
  'subscriptions.write',
  'events.read',
  'operate',
  'admin',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** Every topic, or the named ones. */
export type TopicScope = '*' | readonly string[];

/** One permission a caller holds, on some topics. `admin` always holds on every topic. */
export interface Grant {
  permission: Permission;
  topics: TopicScope;
}

/**
 * The topic a check is about: a route's `{topic}`, or `'*'` for a call that reaches every topic
 * (an event looked up by key before its topic is known, the ingress dead letters, key management).
 */
export type TopicTarget = string; // a topic name, or '*'

function covers(scope: TopicScope, topic: TopicTarget): boolean {
  if (scope === '*') return true;
  return topic !== '*' && scope.includes(topic);
}

/** Whether any grant (or `admin`) allows `permission` on `topic`. */
export function allows(grants: readonly Grant[], permission: Permission, topic: TopicTarget): boolean {
  return grants.some(
    (grant) =>
      grant.permission === 'admin' || (grant.permission === permission && covers(grant.topics, topic)),
  );
}

/** Whether any grant holds `permission` on at least one topic: enough to enter, the handler narrows. */
export function holdsAnywhere(grants: readonly Grant[], permission: Permission): boolean {
  return grants.some(
    (grant) =>
      grant.permission === 'admin' ||
      (grant.permission === permission && (grant.topics === '*' || grant.topics.length > 0)),
  );
}

/** Grants as text for logs and listings: `publish(orders,payments) events.read(*)`. */
export function describeGrants(grants: readonly Grant[]): string {
  return grants
    .map((grant) => `${grant.permission}(${grant.topics === '*' ? '*' : grant.topics.join(',')})`)
    .join(' ');
}

/**
 * Entra ID app roles (the `roles` claim) and the permission each grants. A role may end in
 * `.<topic>` to grant the permission on that topic only (`Switchyard.Publish.orders`);
 * `Switchyard.Admin` has no topic form. docs/operations.md lists the same table.
 */
export const ROLE_PERMISSIONS: Readonly<Record<string, Permission>> = {
  'Switchyard.Publish': 'publish',
  'Switchyard.Subscriptions.Read': 'subscriptions.read',
  'Switchyard.Subscriptions.Write': 'subscriptions.write',
  'Switchyard.Events.Read': 'events.read',
  'Switchyard.Operate': 'operate',
  'Switchyard.Admin': 'admin',
};

/** Topic names in roles follow the topic rule (shared/events/topicName.ts). */
const ROLE_TOPIC = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Maps a token's roles to grants; roles it does not know are ignored (a token may carry roles
 * of other applications' scopes). Per-topic roles of one permission merge into one grant.
 */
export function grantsFromRoles(roles: readonly string[]): Grant[] {
  const everywhere = new Set<Permission>();
  const perTopic = new Map<Permission, Set<string>>();
  for (const role of roles) {
    const exact = ROLE_PERMISSIONS[role];
    if (exact) {
      everywhere.add(exact);
      continue;
    }
    for (const [prefix, permission] of Object.entries(ROLE_PERMISSIONS)) {
      if (permission === 'admin' || !role.startsWith(`${prefix}.`)) continue;
      const topic = role.slice(prefix.length + 1);
      // No role name is a prefix of another, so at most one prefix matches.
      if (!ROLE_TOPIC.test(topic)) continue;
      const topics = perTopic.get(permission) ?? new Set<string>();
      topics.add(topic);
      perTopic.set(permission, topics);
    }
  }
  const grants: Grant[] = [...everywhere].map((permission) => ({ permission, topics: '*' }));
  for (const [permission, topics] of perTopic) {
    if (!everywhere.has(permission)) grants.push({ permission, topics: [...topics].sort() });
  }
  return grants;
}

/** The app role that grants `permission` (on `topic` when given): for 403 answers and docs. */
export function roleFor(permission: Permission, topic?: TopicTarget): string {
  const role = Object.entries(ROLE_PERMISSIONS).find(([, p]) => p === permission)?.[0] ?? 'Switchyard.Admin';
  return topic !== undefined && topic !== '*' && permission !== 'admin' ? `${role}.${topic}` : role;
}
