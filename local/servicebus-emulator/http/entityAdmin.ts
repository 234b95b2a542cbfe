import { buildQueue, buildTopic, storeSettings } from '../broker/buildRegistry';
import { parseIsoDuration } from '../config/duration';
import { ConfigError } from '../config/load';
import { wireForwarding } from '../broker/forwarding';
import { changeWithForwarding } from './forwardingCheck';
import type { QueueEntity } from '../broker/queueEntity';
import type { TopicEntity } from '../broker/topicEntity';
import { alreadyExists, badRequest, notFound } from './adminError';
import {
  applySettings,
  atomEntry,
  emptyFeed,
  entryReply,
  feedReply,
  namespaceUrl,
  type AdminCall,
  type AdminContext,
  type AdminReply,
} from './adminContext';
import type { AtomEntry } from './atomXml';
import { readEchoed } from './descriptionFields';
import { queueContent, queuePropertiesFromXml } from './queueXml';
import { storeCounts, topicCounts } from './runtimeCounts';
import { topicContent, topicPropertiesFromXml } from './topicXml';
import { validQueue, validTopic } from './validateEntity';

/** Queues and topics: GET/PUT/DELETE `/<name>` and the `$Resources` lists. */
export function getEntity(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  const queue = ctx.registry.queue(name);
  if (queue)
    return entryReply(
      200,
      call,
      queue.path,
      'QueueDescription',
      queueNode(ctx, call, queue),
      ctx.catalog.get(queue.path),
    );
  const topic = ctx.registry.topic(name);
  if (topic)
    return entryReply(
      200,
      call,
      topic.path,
      'TopicDescription',
      topicNode(ctx, topic),
      ctx.catalog.get(topic.path),
    );
  return emptyFeed(call, name);
}

export function listQueues(ctx: AdminContext, call: AdminCall): AdminReply {
  const entries: AtomEntry[] = sortByPath(ctx.registry.listQueues()).map((queue) =>
    atomEntry(call, queue.path, 'QueueDescription', queueNode(ctx, call, queue), ctx.catalog.get(queue.path)),
  );
  return feedReply(call, '$Resources/Queues', 'Queues', entries);
}

export function listTopics(ctx: AdminContext, call: AdminCall): AdminReply {
  const entries = sortByPath(ctx.registry.listTopics()).map((topic) =>
    atomEntry(call, topic.path, 'TopicDescription', topicNode(ctx, topic), ctx.catalog.get(topic.path)),
  );
  return feedReply(call, '$Resources/Topics', 'Topics', entries);
}

export function putEntity(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  const kind = call.content?.name;
  if (kind === 'QueueDescription')
    return call.isUpdate ? updateQueue(ctx, call, name) : createQueue(ctx, call, name);
  if (kind === 'TopicDescription')
    return call.isUpdate ? updateTopic(ctx, call, name) : createTopic(ctx, call, name);
  throw badRequest(`expected a QueueDescription or TopicDescription, got ${kind ?? 'no content'}`);
}

export function deleteEntity(ctx: AdminContext, name: string): AdminReply {
  const path = ctx.registry.queue(name)?.path ?? ctx.registry.topic(name)?.path;
  if (!path || !(ctx.registry.removeQueue(name) || ctx.registry.removeTopic(name))) throw notFound(name);
  ctx.catalog.forget(path);
  // Sources forwarding to it now dead-letter into their transfer dead-letter queues.
  wireForwarding(ctx.registry);
  return { status: 200 };
}

function createQueue(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  if (ctx.registry.hasEntity(name)) throw alreadyExists(name);
  const config = validQueue({ Name: name, Properties: queuePropertiesFromXml(call.content!.fields) });
  const queue = built(() => buildQueue(config, `Queue '${name}'`, ctx.now));
  changeWithForwarding(
    ctx.registry,
    () => ctx.registry.addQueue(queue),
    () => ctx.registry.removeQueue(queue.path),
  );
  const now = ctx.now();
  ctx.catalog.set(queue.path, {
    properties: config.Properties ?? {},
    echoed: readEchoed(call.content!.fields),
    createdAt: now,
    updatedAt: now,
  });
  return entryReply(
    201,
    call,
    queue.path,
    'QueueDescription',
    queueNode(ctx, call, queue),
    ctx.catalog.get(queue.path),
  );
}

function updateQueue(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  const queue = ctx.registry.queue(name);
  if (!queue) throw notFound(name);
  const config = validQueue({ Name: queue.path, Properties: queuePropertiesFromXml(call.content!.fields) });
  const record = ctx.catalog.get(queue.path);
  const properties = config.Properties ?? {};
  assertUnchanged(
    record.properties,
    properties,
    ['RequiresSession', 'RequiresDuplicateDetection'],
    `Queue '${queue.path}'`,
  );
  assertSameDuration(
    record.properties,
    properties,
    'DuplicateDetectionHistoryTimeWindow',
    600_000,
    `Queue '${queue.path}'`,
  );
  const settings = built(() => storeSettings(queue.path, properties, `Queue '${queue.path}'`));
  const previous = { ...queue.store.settings };
  changeWithForwarding(
    ctx.registry,
    () => applySettings(queue.store, settings),
    () => applySettings(queue.store, previous),
  );
  ctx.catalog.set(queue.path, {
    ...record,
    properties,
    echoed: readEchoed(call.content!.fields),
    updatedAt: ctx.now(),
  });
  return entryReply(
    200,
    call,
    queue.path,
    'QueueDescription',
    queueNode(ctx, call, queue),
    ctx.catalog.get(queue.path),
  );
}

function createTopic(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  if (ctx.registry.hasEntity(name)) throw alreadyExists(name);
  const config = validTopic({ Name: name, Properties: topicPropertiesFromXml(call.content!.fields) });
  const topic = built(() => buildTopic(config, `Topic '${name}'`, ctx.compileSql, ctx.now));
  ctx.registry.addTopic(topic);
  const now = ctx.now();
  ctx.catalog.set(topic.path, {
    properties: config.Properties ?? {},
    echoed: readEchoed(call.content!.fields),
    createdAt: now,
    updatedAt: now,
  });
  return entryReply(
    201,
    call,
    topic.path,
    'TopicDescription',
    topicNode(ctx, topic),
    ctx.catalog.get(topic.path),
  );
}

/**
 * A topic's description is updated; its default TTL and duplicate detection window are fixed
 * when the broker builds the topic, so changing them is refused rather than ignored.
 */
function updateTopic(ctx: AdminContext, call: AdminCall, name: string): AdminReply {
  const topic = ctx.registry.topic(name);
  if (!topic) throw notFound(name);
  const config = validTopic({ Name: topic.path, Properties: topicPropertiesFromXml(call.content!.fields) });
  const record = ctx.catalog.get(topic.path);
  const properties = config.Properties ?? {};
  assertUnchanged(record.properties, properties, ['RequiresDuplicateDetection'], `Topic '${topic.path}'`);
  assertSameDuration(
    record.properties,
    properties,
    'DefaultMessageTimeToLive',
    Infinity,
    `Topic '${topic.path}'`,
  );
  assertSameDuration(
    record.properties,
    properties,
    'DuplicateDetectionHistoryTimeWindow',
    600_000,
    `Topic '${topic.path}'`,
  );
  ctx.catalog.set(topic.path, {
    ...record,
    properties,
    echoed: readEchoed(call.content!.fields),
    updatedAt: ctx.now(),
  });
  return entryReply(
    200,
    call,
    topic.path,
    'TopicDescription',
    topicNode(ctx, topic),
    ctx.catalog.get(topic.path),
  );
}

function queueNode(ctx: AdminContext, call: AdminCall, queue: QueueEntity) {
  return queueContent(
    ctx.catalog.get(queue.path),
    storeCounts(queue.store),
    ctx.registry.accessedAt(queue.path),
    namespaceUrl(call),
  );
}

function topicNode(ctx: AdminContext, topic: TopicEntity) {
  return topicContent(
    ctx.catalog.get(topic.path),
    topicCounts(topic),
    topic.subscriptions.size,
    ctx.registry.accessedAt(topic.path),
  );
}

/** Service Bus refuses to change these after creation. */
export function assertUnchanged(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  names: string[],
  what: string,
): void {
  for (const name of names) {
    if ((before[name] ?? false) !== (after[name] ?? false)) {
      throw badRequest(
        `${what}: the value for the ${name} property of an existing entity cannot be changed.`,
      );
    }
  }
}

/** Settings the emulator fixes at creation: a change is refused (400) instead of silently ignored. */
function assertSameDuration(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  name: string,
  fallbackMs: number,
  what: string,
): void {
  const ms = (value: unknown): number =>
    typeof value === 'string' ? (parseIsoDuration(value) ?? fallbackMs) : fallbackMs;
  if (ms(before[name]) !== ms(after[name])) {
    throw badRequest(
      `${what}: this emulator cannot change ${name} after creation; delete and recreate the entity.`,
    );
  }
}

/** Broker-side refusals of a valid description (unsupported features) become 400s. */
export function built<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) throw badRequest(error.message);
    throw error;
  }
}

function sortByPath<T extends { path: string }>(entities: T[]): T[] {
  return [...entities].sort((a, b) => a.path.localeCompare(b.path));
}
