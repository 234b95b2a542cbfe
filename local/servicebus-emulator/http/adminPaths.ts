/**
 * What an admin request path names, as ServiceBusAdministrationClient builds them:
 * `/<queue or topic>`, `/<topic>/Subscriptions/<sub>`, `/<topic>/Subscriptions/<sub>/Rules/<rule>`,
 * the lists `/$Resources/Queues`, `/$Resources/Topics`, `/<topic>/Subscriptions/`,
 * `/<topic>/Subscriptions/<sub>/Rules/`, and `/$namespaceinfo`. Queue and topic names may contain `/`.
 */
export type AdminTarget =
  | { kind: 'namespace' }
  | { kind: 'queues' }
  | { kind: 'topics' }
  | { kind: 'entity'; name: string }
  | { kind: 'subscriptions'; topic: string }
  | { kind: 'subscription'; topic: string; subscription: string }
  | { kind: 'rules'; topic: string; subscription: string }
  | { kind: 'rule'; topic: string; subscription: string; rule: string };

export function parseAdminPath(pathname: string): AdminTarget | undefined {
  const path = decodeURIComponent(pathname).replace(/^\/+/, '');
  if (path === '') return undefined;
  if (/^\$namespaceinfo\/?$/i.test(path)) return { kind: 'namespace' };
  if (/^\$Resources\/Queues\/?$/i.test(path)) return { kind: 'queues' };
  if (/^\$Resources\/Topics\/?$/i.test(path)) return { kind: 'topics' };
  const lower = path.toLowerCase();
  const split = lower.lastIndexOf('/subscriptions/');
  if (split < 0) {
    if (/\/subscriptions\/?$/i.test(path))
      return { kind: 'subscriptions', topic: path.replace(/\/subscriptions\/?$/i, '') };
    return { kind: 'entity', name: path.replace(/\/+$/, '') };
  }
  const topic = path.slice(0, split);
  const rest = path.slice(split + '/subscriptions/'.length);
  if (rest === '') return { kind: 'subscriptions', topic };
  const rulesAt = rest.toLowerCase().indexOf('/rules');
  if (rulesAt < 0) return { kind: 'subscription', topic, subscription: rest.replace(/\/+$/, '') };
  const subscription = rest.slice(0, rulesAt);
  const rule = rest
    .slice(rulesAt + '/rules'.length)
    .replace(/^\/+/, '')
    .replace(/\/+$/, '');
  return rule === '' ? { kind: 'rules', topic, subscription } : { kind: 'rule', topic, subscription, rule };
}
