import type { SqlRuleCompiler } from '../broker/buildRegistry';
import type { EntityRegistry } from '../broker/entityRegistry';
import type { MessageStore, StoreSettings } from '../broker/messageStore';
import { entryXml, feedXml, type AtomEntry, type XmlNode } from './atomXml';
import type { EntityCatalog, EntityRecord } from './entityRecord';

/** What the admin operations work on. */
export interface AdminContext {
  registry: EntityRegistry;
  catalog: EntityCatalog;
  compileSql?: SqlRuleCompiler | undefined;
  now: () => number;
}

/** One admin request after routing and body parsing. */
export interface AdminCall {
  /** `http://host:port` as the client addressed us: entry ids and links are built on it. */
  baseUrl: string;
  /** PUT with `If-Match: *` is an update; without it, a create. */
  isUpdate: boolean;
  content?: { name: string; fields: XmlNode } | undefined;
  skip: number;
  top: number;
}

export interface AdminReply {
  status: number;
  body?: string;
}

export function entryReply(
  status: number,
  call: AdminCall,
  path: string,
  contentName: string,
  content: XmlNode,
  record: EntityRecord,
): AdminReply {
  return { status, body: entryXml(atomEntry(call, path, contentName, content, record)) };
}

export function atomEntry(
  call: AdminCall,
  path: string,
  contentName: string,
  content: XmlNode,
  record: EntityRecord,
): AtomEntry {
  return {
    id: `${call.baseUrl}/${path}`,
    title: path.slice(path.lastIndexOf('/') + 1),
    published: new Date(record.createdAt),
    updated: new Date(record.updatedAt),
    contentName,
    content,
  };
}

/** A page of a list; a next link with `$skip` when more remain. */
export function feedReply(call: AdminCall, path: string, title: string, entries: AtomEntry[]): AdminReply {
  const page = entries.slice(call.skip, call.skip + call.top);
  const more = call.skip + call.top < entries.length;
  const id = `${call.baseUrl}/${path}`;
  const nextHref = more
    ? `${id}?$skip=${call.skip + call.top}&$top=${call.top}&api-version=2021-05`
    : undefined;
  return { status: 200, body: feedXml({ id, title, entries: page, nextHref }) };
}

/**
 * What the service answers a GET for a queue or topic that does not exist: 200 and an empty feed
 * (the SDK turns it into MessageEntityNotFoundError).
 */
export function emptyFeed(call: AdminCall, path: string): AdminReply {
  return {
    status: 200,
    body: feedXml({ id: `${call.baseUrl}/${path}`, title: 'Publicly Listed Services', entries: [] }),
  };
}

/**
 * Applies updated settings to a live store, keeping its messages (as an update does in Service
 * Bus). The dead-letter sub-queues follow the lock duration and size limit.
 */
export function applySettings(store: MessageStore, settings: StoreSettings): void {
  Object.assign(store.settings, { ...settings, path: store.settings.path });
  for (const subQueue of [store.deadLetters, store.transferDeadLetters]) {
    if (!subQueue) continue;
    subQueue.settings.lockDurationMs = settings.lockDurationMs;
    subQueue.settings.maxSizeBytes = settings.maxSizeBytes;
  }
}

/** `sb://host:port`, the form forwarding targets take in descriptions. */
export function namespaceUrl(call: AdminCall): string {
  return call.baseUrl.replace(/^https?:/, 'sb:');
}
