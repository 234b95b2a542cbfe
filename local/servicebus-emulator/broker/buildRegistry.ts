import type { ValidConfig } from '../config/load';
import { parseIsoDuration } from '../config/duration';
import { ConfigError } from '../config/load';
import { EntityRegistry } from './entityRegistry';
import type { StoreSettings } from './messageStore';
import { QueueEntity } from './queueEntity';
import { assertUniqueRuleNames, ruleFromConfig } from './ruleConfig';
import { trueRule, type SubscriptionRule } from './rules';
import { TopicEntity } from './topicEntity';

/** Compiles a SQL filter (and optional action) into a rule; supplied by the SQL module when present. */
export type SqlRuleCompiler = (name: string, filter: string, action: string | undefined) => SubscriptionRule;

const DEFAULT_LOCK_MS = 60_000;
const DEFAULT_MAX_DELIVERY = 10;
const DEFAULT_DUPLICATE_WINDOW_MS = 10 * 60_000;
const DEFAULT_MAX_SIZE_MB = 64;

interface ReceivableProps {
  DeadLetteringOnMessageExpiration?: boolean;
  DefaultMessageTimeToLive?: string;
  LockDuration?: string;
  MaxDeliveryCount?: number;
  MaxSizeInMegabytes?: number;
  RequiresSession?: boolean;
  ForwardTo?: string;
}

function duration(text: string | undefined, fallback: number): number {
  return text === undefined ? fallback : (parseIsoDuration(text) ?? fallback);
}

function storeSettings(path: string, props: ReceivableProps | undefined, where: string): StoreSettings {
  if (props?.ForwardTo) throw new ConfigError(`${where}.Properties.ForwardTo: forwarding is not supported yet`);
  return {
    path,
    lockDurationMs: duration(props?.LockDuration, DEFAULT_LOCK_MS),
    maxDeliveryCount: props?.MaxDeliveryCount ?? DEFAULT_MAX_DELIVERY,
    defaultTtlMs: duration(props?.DefaultMessageTimeToLive, Infinity),
    deadLetterOnExpiration: props?.DeadLetteringOnMessageExpiration ?? false,
    maxSizeBytes: (props?.MaxSizeInMegabytes ?? DEFAULT_MAX_SIZE_MB) * 1024 * 1024,
    requiresSession: props?.RequiresSession ?? false,
  };
}

/** Builds queues, topics and subscriptions from a validated Config.json (its first namespace). */
export function buildRegistry(config: ValidConfig, compileSql?: SqlRuleCompiler, now: () => number = Date.now): EntityRegistry {
  const registry = new EntityRegistry();
  const namespace = config.UserConfig.Namespaces[0]!;
  namespace.Queues?.forEach((queue, index) => {
    const where = `UserConfig.Namespaces[0].Queues[${index}]`;
    const props = queue.Properties;
    const window = props?.RequiresDuplicateDetection
      ? duration(props.DuplicateDetectionHistoryTimeWindow, DEFAULT_DUPLICATE_WINDOW_MS)
      : undefined;
    registry.addQueue(new QueueEntity(storeSettings(queue.Name, props, where), window, now));
  });
  namespace.Topics?.forEach((topicConfig, topicIndex) => {
    const props = topicConfig.Properties;
    const window = props?.RequiresDuplicateDetection
      ? duration(props.DuplicateDetectionHistoryTimeWindow, DEFAULT_DUPLICATE_WINDOW_MS)
      : undefined;
    const topic = new TopicEntity(topicConfig.Name, duration(props?.DefaultMessageTimeToLive, Infinity), window, now);
    topicConfig.Subscriptions?.forEach((sub, subIndex) => {
      const where = `UserConfig.Namespaces[0].Topics[${topicIndex}].Subscriptions[${subIndex}]`;
      const rules = (sub.Rules ?? []).map((rule, ruleIndex) => ruleFromConfig(rule, `${where}.Rules[${ruleIndex}].Properties`, compileSql));
      assertUniqueRuleNames(rules, `${where}.Rules`);
      const settings = storeSettings(`${topicConfig.Name}/Subscriptions/${sub.Name}`, sub.Properties, where);
      topic.addSubscription(sub.Name, settings, rules.length > 0 ? rules : [trueRule()]);
    });
    registry.addTopic(topic);
  });
  return registry;
}
