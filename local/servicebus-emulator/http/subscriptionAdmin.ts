import { addSubscription, subscriptionSettings } from '../broker/buildRegistry';
import { BrokerError } from '../broker/brokerError';
import { addRule, listRules, removeRule } from '../broker/ruleManager';
import type { Subscription, TopicEntity } from '../broker/topicEntity';
import { AdminError, alreadyExists, badRequest, notFound } from './adminError';
import {
  applySettings,
  atomEntry,
  entryReply,
  feedReply,
  namespaceUrl,
  type AdminCall,
  type AdminContext,
  type AdminReply,
} from './adminContext';
import { asNode, entryXml, type AtomEntry } from './atomXml';
import { readEchoed } from './descriptionFields';
import { assertUnchanged, built } from './entityAdmin';
import { changeWithForwarding } from './forwardingCheck';
import { runtimeRule } from './runtimeRule';
import { ruleContent, ruleFromXml } from './ruleXml';
import { storeCounts } from './runtimeCounts';
import { subscriptionContent, subscriptionPropertiesFromXml } from './subscriptionXml';
import { validSubscription } from './validateEntity';

/** Subscriptions (`/<topic>/Subscriptions/<name>`) and their rules (`.../Rules/<name>`). */
function topicOf(ctx: AdminContext, name: string): TopicEntity {
  const topic = ctx.registry.topic(name);
  if (!topic) throw notFound(name);
  return topic;
}

function subscriptionOf(
  ctx: AdminContext,
  topicName: string,
  name: string,
): { topic: TopicEntity; subscription: Subscription } {
  const topic = topicOf(ctx, topicName);
  const subscription = topic.subscriptions.get(name.toLowerCase());
  if (!subscription) throw notFound(`${topic.path}/Subscriptions/${name}`);
  return { topic, subscription };
}

const pathOf = (subscription: Subscription): string => subscription.store.settings.path;

function removeSubscription(topic: TopicEntity, subscription: Subscription): void {
  topic.subscriptions.delete(subscription.name.toLowerCase());
  subscription.store.close();
}

function subscriptionNode(ctx: AdminContext, call: AdminCall, subscription: Subscription) {
  const path = pathOf(subscription);
  return subscriptionContent(
    ctx.catalog.get(path),
    storeCounts(subscription.store),
    ctx.registry.accessedAt(path),
    namespaceUrl(call),
  );
}

export function getSubscription(
  ctx: AdminContext,
  call: AdminCall,
  topicName: string,
  name: string,
): AdminReply {
  const { subscription } = subscriptionOf(ctx, topicName, name);
  const path = pathOf(subscription);
  return entryReply(
    200,
    call,
    path,
    'SubscriptionDescription',
    subscriptionNode(ctx, call, subscription),
    ctx.catalog.get(path),
  );
}

export function listSubscriptions(ctx: AdminContext, call: AdminCall, topicName: string): AdminReply {
  const topic = topicOf(ctx, topicName);
  const subscriptions = [...topic.subscriptions.values()].sort((a, b) => a.name.localeCompare(b.name));
  const entries = subscriptions.map((subscription) =>
    atomEntry(
      call,
      pathOf(subscription),
      'SubscriptionDescription',
      subscriptionNode(ctx, call, subscription),
      ctx.catalog.get(pathOf(subscription)),
    ),
  );
  return feedReply(call, `${topic.path}/Subscriptions`, 'Subscriptions', entries);
}

export function putSubscription(
  ctx: AdminContext,
  call: AdminCall,
  topicName: string,
  name: string,
): AdminReply {
  if (call.content?.name !== 'SubscriptionDescription')
    throw badRequest(`expected a SubscriptionDescription, got ${call.content?.name ?? 'no content'}`);
  const fields = call.content.fields;
  const topic = topicOf(ctx, topicName);
  const existing = topic.subscriptions.get(name.toLowerCase());
  const config = validSubscription({
    Name: existing?.name ?? name,
    Properties: subscriptionPropertiesFromXml(fields),
  });
  const properties = config.Properties ?? {};
  const where = `Subscription '${topic.path}/Subscriptions/${config.Name}'`;
  if (call.isUpdate) {
    if (!existing) throw notFound(`${topic.path}/Subscriptions/${name}`);
    const record = ctx.catalog.get(pathOf(existing));
    assertUnchanged(record.properties, properties, ['RequiresSession'], where);
    const settings = built(() => subscriptionSettings(topic.path, config, where));
    const previous = { ...existing.store.settings };
    changeWithForwarding(
      ctx.registry,
      () => applySettings(existing.store, settings),
      () => applySettings(existing.store, previous),
    );
    ctx.catalog.set(pathOf(existing), {
      ...record,
      properties,
      echoed: readEchoed(fields),
      updatedAt: ctx.now(),
    });
    return entryReply(
      200,
      call,
      pathOf(existing),
      'SubscriptionDescription',
      subscriptionNode(ctx, call, existing),
      ctx.catalog.get(pathOf(existing)),
    );
  }
  if (existing) throw alreadyExists(pathOf(existing));
  // The default rule is compiled before the subscription exists, so a bad one creates nothing.
  const defaultRule = asNode(fields.DefaultRuleDescription);
  const initialRule = defaultRule
    ? runtimeRule(ruleFromXml(textName(defaultRule) ?? '$Default', defaultRule))
    : undefined;
  const subscription = changeWithForwarding(
    ctx.registry,
    () => built(() => addSubscription(topic, config, where, ctx.compileSql)),
    (added) => removeSubscription(topic, added),
  );
  if (initialRule) subscription.rules.splice(0, subscription.rules.length, initialRule);
  const now = ctx.now();
  ctx.catalog.set(pathOf(subscription), {
    properties,
    echoed: readEchoed(fields),
    createdAt: now,
    updatedAt: now,
  });
  return entryReply(
    201,
    call,
    pathOf(subscription),
    'SubscriptionDescription',
    subscriptionNode(ctx, call, subscription),
    ctx.catalog.get(pathOf(subscription)),
  );
}

function textName(node: ReturnType<typeof asNode>): string | undefined {
  const name = node?.Name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

export function deleteSubscription(ctx: AdminContext, topicName: string, name: string): AdminReply {
  const { topic, subscription } = subscriptionOf(ctx, topicName, name);
  removeSubscription(topic, subscription);
  ctx.catalog.forget(pathOf(subscription));
  return { status: 200 };
}

const rulePath = (subscription: Subscription, name: string): string =>
  `${pathOf(subscription)}/Rules/${name}`;

/** A rule's entry; rules from Config.json or $management (no record of their own) date from their subscription. */
function ruleEntry(
  ctx: AdminContext,
  call: AdminCall,
  subscription: Subscription,
  rule: Subscription['rules'][number],
): AtomEntry {
  const path = rulePath(subscription, rule.name);
  const record = ctx.catalog.has(path) ? ctx.catalog.get(path) : ctx.catalog.get(pathOf(subscription));
  return atomEntry(call, path, 'RuleDescription', ruleContent(rule.definition, record.createdAt), record);
}

export function getRule(
  ctx: AdminContext,
  call: AdminCall,
  topicName: string,
  subscriptionName: string,
  name: string,
): AdminReply {
  const { subscription } = subscriptionOf(ctx, topicName, subscriptionName);
  const rule = subscription.rules.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  if (!rule) throw notFound(rulePath(subscription, name));
  return { status: 200, body: entryXml(ruleEntry(ctx, call, subscription, rule)) };
}

export function listRulesOf(
  ctx: AdminContext,
  call: AdminCall,
  topicName: string,
  subscriptionName: string,
): AdminReply {
  const { subscription } = subscriptionOf(ctx, topicName, subscriptionName);
  const entries = listRules(subscription, 0, subscription.rules.length).map((rule) =>
    ruleEntry(ctx, call, subscription, rule),
  );
  return feedReply(call, `${pathOf(subscription)}/Rules`, 'Rules', entries);
}

/** createRule adds, updateRule (If-Match) replaces in place keeping the rule's position. */
export function putRule(
  ctx: AdminContext,
  call: AdminCall,
  topicName: string,
  subscriptionName: string,
  name: string,
): AdminReply {
  if (call.content?.name !== 'RuleDescription')
    throw badRequest(`expected a RuleDescription, got ${call.content?.name ?? 'no content'}`);
  const { subscription } = subscriptionOf(ctx, topicName, subscriptionName);
  const definition = ruleFromXml(name, call.content.fields);
  const index = subscription.rules.findIndex((rule) => rule.name.toLowerCase() === name.toLowerCase());
  const now = ctx.now();
  if (call.isUpdate) {
    if (index < 0) throw notFound(rulePath(subscription, name));
    subscription.rules[index] = runtimeRule({ ...definition, name: subscription.rules[index]!.name });
    const record = ctx.catalog.get(rulePath(subscription, name));
    ctx.catalog.set(rulePath(subscription, name), { ...record, updatedAt: now });
  } else {
    mapBrokerErrors(() => addRule(subscription, definition));
    ctx.catalog.set(rulePath(subscription, name), {
      properties: {},
      echoed: {},
      createdAt: now,
      updatedAt: now,
    });
  }
  const rule = subscription.rules.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase())!;
  return { status: call.isUpdate ? 200 : 201, body: entryXml(ruleEntry(ctx, call, subscription, rule)) };
}

export function deleteRule(
  ctx: AdminContext,
  topicName: string,
  subscriptionName: string,
  name: string,
): AdminReply {
  const { subscription } = subscriptionOf(ctx, topicName, subscriptionName);
  mapBrokerErrors(() => removeRule(subscription, name));
  ctx.catalog.forget(rulePath(subscription, name));
  return { status: 200 };
}

/** The rule manager's errors as the HTTP statuses the service uses. */
function mapBrokerErrors<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof BrokerError)) throw error;
    if (error.code === 'MessagingEntityAlreadyExists')
      throw new AdminError(409, `SubCode=40900. Conflict. ${error.message}`);
    if (error.code === 'MessagingEntityNotFound')
      throw new AdminError(404, `SubCode=40400. Not Found. ${error.message}`);
    throw badRequest(error.message);
  }
}
