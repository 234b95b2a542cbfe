import type { ValidConfig } from '../config/load';
import { parseIsoDuration } from '../config/duration';
import { ConfigError } from '../config/load';
import { EntityRegistry } from './entityRegistry';
import { forwardingProblem, wireForwarding } from './forwarding';
import type { StoreSettings } from './messageStore';
import { QueueEntity } from './queueEntity';
import { assertUniqueRuleNames, ruleFromConfig, type SqlRuleCompiler } from './ruleConfig';
import { trueRule, type SubscriptionRule } from './rules';
import { TopicEntity, type Subscription } from './topicEntity';
import type { QueueConfig, RuleConfig, SubscriptionConfig, TopicConfig } from '../config/schema';

export type { SqlRuleCompiler };

const DEFAULT_LOCK_MS = 60_000;
const DEFAULT_MAX_DELIVERY = 10;
const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;
const DEFAULT_MAX_SIZE_MB = 64;

interface ReceivableProps {
  DeadLetteringOnMessageExpiration?: boolean | undefined;
  DefaultMessageTimeToLive?: string | undefined;
  LockDuration?: string | undefined;
  MaxDeliveryCount?: number | undefined;
  MaxSizeInMegabytes?: number | undefined;
  RequiresSession?: boolean | undefined;
  ForwardTo?: string | undefined;
  ForwardDeadLetteredMessagesTo?: string | undefined;
}

function duration(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseIsoDuration(text) ?? fallback);
}

export function storeSettings(
  path: string,
  props: ReceivableProps | undefined,
  _where: string,
): StoreSettings {
  return {
    path,
    lockDurationMs: duration(props?.LockDuration, DEFAULT_LOCK_MS),
    maxDeliveryCount: props?.MaxDeliveryCount ?? DEFAULT_MAX_DELIVERY,
    defaultTtlMs: duration(props?.DefaultMessageTimeToLive, Infinity),
    deadLetterOnExpiration: props?.DeadLetteringOnMessageExpiration ?? false,
    maxSizeBytes: (props?.MaxSizeInMegabytes ?? DEFAULT_MAX_SIZE_MB) * 1024 * 1024,
    requiresSession: props?.RequiresSession ?? false,
    forwardTo: props?.ForwardTo || undefined,
    forwardDeadLetteredMessagesTo: props?.ForwardDeadLetteredMessagesTo || undefined,
  };
}

/** Builds queues, topics and subscriptions from a validated Config.json (its first namespace). */
export function buildRegistry(
  config: ValidConfig,
  compileSql?: SqlRuleCompiler,
  now: () => number = Date.now,
): EntityRegistry {
  const registry = new EntityRegistry();
  const namespace = config.UserConfig.Namespaces[0]!;
  namespace.Queues?.forEach((queue, index) => {
    registry.addQueue(buildQueue(queue, `UserConfig.Namespaces[0].Queues[${index}]`, now));
  });
  namespace.Topics?.forEach((topicConfig, topicIndex) => {
    registry.addTopic(
      buildTopic(topicConfig, `UserConfig.Namespaces[0].Topics[${topicIndex}]`, compileSql, now),
    );
  });
  const forwarding = forwardingProblem(registry);
  if (forwarding) {
    registry.close();
    throw new ConfigError(forwarding);
  }
  wireForwarding(registry);
  return registry;
}

function duplicateWindow(
  props:
    | {
        RequiresDuplicateDetection?: boolean | undefined;
        DuplicateDetectionHistoryTimeWindow?: string | undefined;
      }
    | undefined,
): number | undefined {
  return props?.RequiresDuplicateDetection
    ? duration(props.DuplicateDetectionHistoryTimeWindow, DEFAULT_DUPLICATE_WINDOW_MS)
    : undefined;
}

/**
 * One queue from its Config.json entry; `where` prefixes error messages. The admin HTTP API
 * builds run-time queues through here too, so they behave exactly like configured ones.
 */
export function buildQueue(queue: QueueConfig, where: string, now: () => number = Date.now): QueueEntity {
  return new QueueEntity(
    storeSettings(queue.Name, queue.Properties, where),
    duplicateWindow(queue.Properties),
    now,
  );
}

/** One topic with its subscriptions from its Config.json entry (also used for run-time topics). */
export function buildTopic(
  topicConfig: TopicConfig,
  where: string,
  compileSql?: SqlRuleCompiler,
  now: () => number = Date.now,
): TopicEntity {
  const props = topicConfig.Properties;
  const topic = new TopicEntity(
    topicConfig.Name,
    duration(props?.DefaultMessageTimeToLive, Infinity),
    duplicateWindow(props),
    now,
  );
  topicConfig.Subscriptions?.forEach((sub, subIndex) => {
    addSubscription(topic, sub, `${where}.Subscriptions[${subIndex}]`, compileSql);
  });
  return topic;
}

/** Adds one subscription from its Config.json entry to `topic` (also used for run-time subscriptions). */
export function addSubscription(
  topic: TopicEntity,
  sub: SubscriptionConfig,
  where: string,
  compileSql?: SqlRuleCompiler,
): Subscription {
  const rules = (sub.Rules ?? []).map((rule, ruleIndex) =>
    buildRule(rule, `${where}.Rules[${ruleIndex}].Properties`, compileSql),
  );
  assertUniqueRuleNames(rules, `${where}.Rules`);
  const settings = subscriptionSettings(topic.path, sub, where);
  return topic.addSubscription(sub.Name, settings, rules.length > 0 ? rules : [trueRule()]);
}

/** The store settings a subscription entry asks for (the admin API applies them on update). */
export function subscriptionSettings(
  topicPath: string,
  sub: SubscriptionConfig,
  where: string,
): StoreSettings {
  return storeSettings(`${topicPath}/Subscriptions/${sub.Name}`, sub.Properties, where);
}

/** One rule from its Config.json entry; `where` names its Properties in errors (with a SQL error's position). */
export function buildRule(rule: RuleConfig, where: string, compileSql?: SqlRuleCompiler): SubscriptionRule {
  return ruleFromConfig(rule, where, compileSql);
}
