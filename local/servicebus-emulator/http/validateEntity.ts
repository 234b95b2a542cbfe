import { ConfigError, loadConfig } from '../config/load';
import type { QueueConfig, SubscriptionConfig, TopicConfig } from '../config/schema';
import { badRequest } from './adminError';

/**
 * Run-time entities are checked by the same schema as Config.json, so what the admin API accepts
 * is exactly what a config file may declare; errors name the field (`Properties.LockDuration: ...`).
 */
function validate<T>(build: () => unknown, pick: (config: ReturnType<typeof loadConfig>) => T): T {
  try {
    return pick(loadConfig(build() as Parameters<typeof loadConfig>[0]));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const detail = error.message
      .replace(/^invalid emulator config:\s*/, '')
      .replace(/UserConfig\.Namespaces\[0\]\.(Queues|Topics)\[0\](\.Subscriptions\[0\])?\.?/g, '')
      .replace(/\s*\n\s*/g, '; ');
    throw badRequest(detail);
  }
}

const namespace = (content: Record<string, unknown>): unknown => ({
  UserConfig: { Namespaces: [{ Name: 'sbemulatorns', ...content }] },
});

export function validQueue(queue: QueueConfig): QueueConfig {
  return validate(
    () => namespace({ Queues: [queue] }),
    (config) => config.UserConfig.Namespaces[0]!.Queues![0]!,
  );
}

export function validTopic(topic: TopicConfig): TopicConfig {
  return validate(
    () => namespace({ Topics: [topic] }),
    (config) => config.UserConfig.Namespaces[0]!.Topics![0]!,
  );
}

export function validSubscription(subscription: SubscriptionConfig): SubscriptionConfig {
  return validate(
    () => namespace({ Topics: [{ Name: 'topic', Subscriptions: [subscription] }] }),
    (config) => config.UserConfig.Namespaces[0]!.Topics![0]!.Subscriptions![0]!,
  );
}
